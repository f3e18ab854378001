#!/usr/bin/env bash
# Validate the deployment files (docs/deploy.md) with what runs without a cluster or a Docker daemon:
#   kubectl kustomize deploy        renders every manifest and the generated config maps (kubectl's own
#                                   client-side parsing; `kubectl apply --dry-run=client` needs an API server)
#   docker compose config           where the Compose plugin is installed
#   nginx -t                        where nginx is installed (the proxy's config, with a throwaway certificate)
#   tests/test_deploy.py            no tool needed: the files agree with the doc and the code
# A tool that is missing is reported; under CI=true a missing kubectl fails the check.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
status=0

if command -v kubectl >/dev/null; then
  out=$(mktemp)
  if kubectl kustomize deploy >"$out"; then
    echo "kubectl kustomize deploy: $(grep -c '^kind:' "$out") resources rendered"
  else
    echo "kubectl kustomize deploy: FAILED"; status=1
  fi
  rm -f "$out"
elif [[ "${CI:-}" == "true" ]]; then
  echo "kubectl is not installed, and CI must check the manifests"; status=1
else
  echo "kubectl is not installed: manifests not rendered (tests/test_deploy.py still checks them)"
fi

if docker compose version >/dev/null 2>&1; then
  if POSTGRES_PASSWORD=check PRACHA_SECRET_KEY=check docker compose -f deploy/compose.yaml config --quiet; then
    echo "docker compose config: ok"
  else
    echo "docker compose config: FAILED"; status=1
  fi
else
  echo "docker compose is not installed: Compose file checked by tests/test_deploy.py only"
fi

if command -v nginx >/dev/null; then
  tmp=$(mktemp -d)
  mkdir -p "$tmp/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=check -days 1 \
    -keyout "$tmp/tls/tls.key" -out "$tmp/tls/tls.crt" 2>/dev/null
  sed -e "s#/etc/nginx/tls#$tmp/tls#g" -e "s#server web:8000#server 127.0.0.1:8000#" \
    deploy/nginx/pracha.conf >"$tmp/pracha.conf"
  printf 'events {}\nhttp {\n include %s/pracha.conf;\n}\n' "$tmp" >"$tmp/nginx.conf"
  if nginx -t -q -c "$tmp/nginx.conf" -p "$tmp"; then echo "nginx -t: ok"; else echo "nginx -t: FAILED"; status=1; fi
  rm -rf "$tmp"
else
  echo "nginx is not installed: proxy config not parsed"
fi

PYTHONPATH=src "$python" -m pytest -q -n 0 -p no:locust tests/test_deploy.py || status=1
exit $status
