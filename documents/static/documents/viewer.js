// The admin's citation viewer: one page of a PDF drawn by PDF.js (served from this
// project's static files, see viewer/build), its text layer, and the cited lines' boxes
// (fractions of the page, origin top-left, from ingestion) drawn over it. Page navigation,
// zoom and "open original". The container's data attributes say what to open; its
// data-state is "rendered" once the page, text layer and highlights are in place.

const root = document.getElementById("pdf-viewer");
const $ = (selector) => root.querySelector(selector);
const highlights = JSON.parse(document.getElementById("viewer-highlights").textContent);
const stage = $(".viewer-stage");
const pageBox = $(".pdf-page");
const canvas = pageBox.querySelector("canvas");
const textLayerBox = pageBox.querySelector(".textLayer");
const highlightLayer = pageBox.querySelector(".highlight-layer");
const pageInput = $("#viewer-page-input");
const pageLabel = $("#viewer-page-number");
const zoomLabel = $("#viewer-zoom");
const original = $("#viewer-open-original");
const status = $(".viewer-status");

const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
let pdfjs;
let pdf;
let current = Number(root.dataset.page) || 1;
let zoom = null; // null: fit the stage's width
let renderTask = null;
let generation = 0;

function fail(message) {
  status.textContent = message;
  status.classList.add("viewer-error");
  root.dataset.state = "error";
}

function drawHighlights(pageNumber) {
  highlightLayer.replaceChildren();
  const boxes = highlights.filter((h) => h.page === pageNumber).flatMap((h) => h.boxes);
  for (const [x0, y0, x1, y1] of boxes) {
    const mark = document.createElement("div");
    mark.className = "viewer-highlight";
    mark.style.left = `${x0 * 100}%`;
    mark.style.top = `${y0 * 100}%`;
    mark.style.width = `${(x1 - x0) * 100}%`;
    mark.style.height = `${(y1 - y0) * 100}%`;
    highlightLayer.append(mark);
  }
  return highlightLayer.firstElementChild;
}

async function render() {
  const mine = ++generation;
  root.dataset.state = "rendering";
  renderTask?.cancel();
  const page = await pdf.getPage(current);
  if (mine !== generation) return;
  const natural = page.getViewport({ scale: 1 });
  const fit = (stage.clientWidth - 26) / natural.width;
  const scale = zoom ?? Math.max(fit, 0.25);
  const viewport = page.getViewport({ scale });
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.style.width = `${Math.floor(viewport.width)}px`;
  canvas.style.height = `${Math.floor(viewport.height)}px`;
  pageBox.style.width = canvas.style.width;
  pageBox.style.height = canvas.style.height;
  pageBox.style.setProperty("--scale-factor", String(scale));
  pageBox.style.setProperty("--total-scale-factor", String(scale));
  renderTask = page.render({
    canvasContext: canvas.getContext("2d"),
    viewport,
    transform: ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0],
  });
  try {
    await renderTask.promise;
  } catch (error) {
    if (error?.name === "RenderingCancelledException") return;
    throw error;
  }
  if (mine !== generation) return;
  textLayerBox.replaceChildren();
  const textLayer = new pdfjs.TextLayer({
    textContentSource: page.streamTextContent(),
    container: textLayerBox,
    viewport,
  });
  await textLayer.render();
  if (mine !== generation) return;
  const first = drawHighlights(current);
  pageInput.value = String(current);
  pageLabel.textContent = `Page ${current} of ${pdf.numPages}`;
  zoomLabel.textContent = `${Math.round(scale * 100)}%`;
  original.href = `${root.dataset.file}#page=${current}`;
  $("#viewer-previous").disabled = current <= 1;
  $("#viewer-next").disabled = current >= pdf.numPages;
  first?.scrollIntoView({ block: "center" });
  status.textContent = "";
  root.dataset.renderedPage = String(current);
  root.dataset.state = "rendered";
}

function go(number) {
  const next = Math.min(Math.max(Number(number) || 1, 1), pdf.numPages);
  if (next !== current || root.dataset.state !== "rendered") {
    current = next;
    render().catch((error) => fail(`The page could not be drawn: ${error.message}`));
  } else {
    pageInput.value = String(current);
  }
}

function setZoom(step) {
  const now = zoom ?? (Number(pageBox.style.getPropertyValue("--scale-factor")) || 1);
  const index = ZOOMS.findIndex((z) => z >= now - 0.001);
  const at = index < 0 ? ZOOMS.length - 1 : index;
  zoom = ZOOMS[Math.min(Math.max(at + step, 0), ZOOMS.length - 1)];
  if (step > 0 && zoom <= now) zoom = ZOOMS[Math.min(at + 1, ZOOMS.length - 1)];
  render().catch((error) => fail(`The page could not be drawn: ${error.message}`));
}

$("#viewer-previous").addEventListener("click", () => go(current - 1));
$("#viewer-next").addEventListener("click", () => go(current + 1));
pageInput.addEventListener("change", () => go(pageInput.value));
$("#viewer-zoom-in").addEventListener("click", () => setZoom(1));
$("#viewer-zoom-out").addEventListener("click", () => setZoom(-1));
$("#viewer-zoom-fit").addEventListener("click", () => {
  zoom = null;
  render().catch((error) => fail(`The page could not be drawn: ${error.message}`));
});

try {
  pdfjs = await import(root.dataset.pdfjs);
  pdfjs.GlobalWorkerOptions.workerSrc = root.dataset.worker;
  status.textContent = "Opening the PDF…";
  pdf = await pdfjs.getDocument({
    url: root.dataset.file,
    withCredentials: true,
    standardFontDataUrl: root.dataset.fonts,
    wasmUrl: root.dataset.wasm,
    // The admin's Content-Security-Policy has no 'unsafe-eval': PDF.js draws fonts without
    // compiling glyphs to functions, and never tries.
    isEvalSupported: false,
  }).promise;
  pageInput.max = String(pdf.numPages);
  current = Math.min(Math.max(current, 1), pdf.numPages);
  await render();
} catch (error) {
  fail(`The PDF could not be opened: ${error.message}`);
}
