#!/usr/bin/env bash
# Release one image to ECS; the deploy workflow runs this, and so can an operator (docs/deploy.md).
#   ecs-release.sh migrate IMAGE_URI   register the migrate task for IMAGE_URI and run it once
#   ecs-release.sh deploy  IMAGE_URI   roll web and worker onto IMAGE_URI, wait, record the tag
# Names default to the ones in infra/ragplatform_infra/names.py.
set -euo pipefail

CLUSTER=${CLUSTER:-ragplatform}
WEB_SERVICE=${WEB_SERVICE:-ragplatform-web}
WORKER_SERVICE=${WORKER_SERVICE:-ragplatform-worker}
WEB_FAMILY=${WEB_FAMILY:-ragplatform-web}
WORKER_FAMILY=${WORKER_FAMILY:-ragplatform-worker}
MIGRATE_FAMILY=${MIGRATE_FAMILY:-ragplatform-migrate}
MIGRATE_LOG_GROUP=${MIGRATE_LOG_GROUP:-/ragplatform/migrate}
IMAGE_TAG_PARAMETER=${IMAGE_TAG_PARAMETER:-/rag-system/image-tag}

# Copy the family's latest revision with CONTAINER's image replaced; print the new ARN.
register() {
  local family=$1 container=$2 image=$3 definition
  definition=$(mktemp)
  aws ecs describe-task-definition --task-definition "$family" \
      --query taskDefinition --output json \
    | jq --arg name "$container" --arg image "$image" '
        .containerDefinitions |= map(if .name == $name then .image = $image else . end)
        | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities,
              .registeredAt, .registeredBy, .deregisteredAt)' >"$definition"
  aws ecs register-task-definition --cli-input-json "file://$definition" \
    --query taskDefinition.taskDefinitionArn --output text
  rm -f "$definition"
}

migrate() {
  local image=$1 definition network task exit_code
  definition=$(register "$MIGRATE_FAMILY" migrate "$image")
  # Same subnets and security group as the web service: the one path to the database.
  network=$(aws ecs describe-services --cluster "$CLUSTER" --services "$WEB_SERVICE" \
    --query 'services[0].networkConfiguration' --output json)
  task=$(aws ecs run-task --cluster "$CLUSTER" --task-definition "$definition" \
    --launch-type FARGATE --network-configuration "$network" --started-by deploy-migrate \
    --query 'tasks[0].taskArn' --output text)
  if [[ -z $task || $task == None ]]; then
    echo "migrate: the task did not start" >&2
    return 1
  fi
  echo "migrate: running $task ($definition)"
  aws ecs wait tasks-stopped --cluster "$CLUSTER" --tasks "$task"
  exit_code=$(aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$task" \
    --query "tasks[0].containers[?name=='migrate'].exitCode | [0]" --output text)
  if [[ $exit_code != 0 ]]; then
    echo "migrate: failed with exit code $exit_code; last log lines:" >&2
    aws logs get-log-events --log-group-name "$MIGRATE_LOG_GROUP" \
      --log-stream-name "migrate/migrate/${task##*/}" --limit 50 \
      --query 'events[].message' --output text >&2 || true
    return 1
  fi
  echo "migrate: done"
}

deploy() {
  local image=$1 web worker service expected state
  web=$(register "$WEB_FAMILY" web "$image")
  worker=$(register "$WORKER_FAMILY" worker "$image")
  aws ecs update-service --cluster "$CLUSTER" --service "$WEB_SERVICE" \
    --task-definition "$web" --query service.serviceName --output text
  aws ecs update-service --cluster "$CLUSTER" --service "$WORKER_SERVICE" \
    --task-definition "$worker" --query service.serviceName --output text
  aws ecs wait services-stable --cluster "$CLUSTER" --services "$WEB_SERVICE" "$WORKER_SERVICE"
  # A circuit-breaker rollback also ends "stable", on the old revision: check what runs now.
  for service in "$WEB_SERVICE" "$WORKER_SERVICE"; do
    expected=$web
    [[ $service == "$WORKER_SERVICE" ]] && expected=$worker
    state=$(aws ecs describe-services --cluster "$CLUSTER" --services "$service" \
      --query "services[0].deployments[?status=='PRIMARY'] | [0].[taskDefinition, rolloutState]" \
      --output text)
    if [[ $state != "$expected"$'\t'COMPLETED ]]; then
      echo "deploy: $service is not on $expected (now: $state); the circuit breaker rolled it back" >&2
      return 1
    fi
  done
  # Every later `cdk deploy` reads this, so infrastructure changes keep this release.
  aws ssm put-parameter --name "$IMAGE_TAG_PARAMETER" --type String --overwrite \
    --value "${image##*:}" --query Version --output text
  echo "deploy: $WEB_SERVICE and $WORKER_SERVICE run ${image##*:}"
}

case ${1:-} in
  migrate | deploy)
    [[ $# -eq 2 ]] || { echo "usage: $0 migrate|deploy IMAGE_URI" >&2; exit 2; }
    "$1" "$2"
    ;;
  *)
    echo "usage: $0 migrate|deploy IMAGE_URI" >&2
    exit 2
    ;;
esac
