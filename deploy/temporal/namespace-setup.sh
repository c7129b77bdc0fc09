#!/bin/sh
# Compose jobs `temporal-create-namespace` (`namespace-setup.sh namespace`) and `temporal-search-attributes`
# (`namespace-setup.sh search-attributes`), run with the `temporal` CLI of the admin-tools image. A fresh server has
# no user namespace, and the onboarding workflow sets custom search attributes (Keyword) that must exist first.
# Both steps are idempotent, so the jobs run on every `docker compose up`.
#
# Env: TEMPORAL_ADDRESS (read by the CLI), TEMPORAL_NAMESPACE, TEMPORAL_NAMESPACE_RETENTION,
# SEARCH_ATTRIBUTES ("Name=Type Name=Type ...", types as `temporal operator search-attribute create --type` takes).
set -eu

NAMESPACE=${TEMPORAL_NAMESPACE:-default}
ATTEMPTS=${SETUP_ATTEMPTS:-30}

# Retries a command while the server (or a namespace it has just created) is not ready yet.
retry() {
  attempt=1
  until "$@"; do
    if [ "$attempt" -ge "$ATTEMPTS" ]; then
      echo "Giving up after $ATTEMPTS attempts: $*" >&2
      return 1
    fi
    attempt=$((attempt + 1))
    sleep 2
  done
}

namespace_exists() {
  temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1
}

# Describe first, so a restart never fails on "already exists"; describe again if create raced another job.
ensure_namespace() {
  namespace_exists && return 0
  temporal operator namespace create --namespace "$NAMESPACE" \
    --retention "${TEMPORAL_NAMESPACE_RETENTION:-168h}" || namespace_exists
}

# `Keyword` -> `INDEXED_VALUE_TYPE_KEYWORD`, `KeywordList` -> `INDEXED_VALUE_TYPE_KEYWORD_LIST`, as the JSON listing says.
indexed_type() {
  printf 'INDEXED_VALUE_TYPE_%s' "$(printf '%s' "$1" | sed 's/\([a-z]\)\([A-Z]\)/\1_\2/g' | tr '[:lower:]' '[:upper:]')"
}

ensure_search_attributes() {
  listing=$(temporal operator search-attribute list --namespace "$NAMESPACE" --output json) || return 1
  for pair in ${SEARCH_ATTRIBUTES:?}; do
    name=${pair%%=*}
    type=${pair#*=}
    if printf '%s' "$listing" | grep -q "\"$name\": *\"$(indexed_type "$type")\""; then
      echo "Search attribute $name ($type) exists"
    elif printf '%s' "$listing" | grep -q "\"$name\":"; then
      echo "Search attribute $name exists in namespace $NAMESPACE with another type than $type" >&2
      exit 1
    else
      temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type" || return 1
      echo "Search attribute $name ($type) created"
    fi
  done
}

echo "Waiting for Temporal at ${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
retry temporal operator cluster health >/dev/null
case "${1:-}" in
  namespace)
    retry ensure_namespace
    echo "Namespace $NAMESPACE is ready"
    ;;
  search-attributes)
    retry namespace_exists
    retry ensure_search_attributes
    ;;
  *)
    echo "usage: $0 namespace|search-attributes" >&2
    exit 2
    ;;
esac
