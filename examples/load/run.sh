#!/bin/sh
# Runs the Indexed Job in job.yaml, waits for it, collects each shard's
# result and merges them: the figures of one run over every stream.
#   examples/load/run.sh [NAMESPACE]
set -eu
ns=${1:-default}
dir=$(dirname "$0")
shards=$(sed -n 's/^  completions: \([0-9]*\).*/\1/p' "$dir/job.yaml")
kubectl -n "$ns" delete job sseready-load --ignore-not-found
kubectl -n "$ns" apply -f "$dir/job.yaml"
# The run lasts --duration; give it headroom to schedule and finish.
kubectl -n "$ns" wait --for=condition=complete --timeout=15m job/sseready-load
i=0
while [ "$i" -lt "$shards" ]; do
  kubectl -n "$ns" logs --tail=-1 -l "job-name=sseready-load,batch.kubernetes.io/job-completion-index=$i" > "shard-$i.json"
  i=$((i + 1))
done
sseready load merge --report report.html shard-*.json
