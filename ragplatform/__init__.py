"""ragplatform: multi-tenant, page-cited question answering over financial PDFs."""
