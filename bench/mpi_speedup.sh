#!/bin/sh
# `make bench`, last step: the speed-up of `frontier --model all --hardware all` at 1 and 2 MPI ranks, and that
# both write the same bytes as one process run without mpirun. Two comparisons:
#   one thread per rank   the process scaling alone (WAFERSCOPE_THREADS=1): 2 ranks do the work of 1 on 2 cores
#   all cores             1 rank with every core against 2 ranks sharing them (the binary gives each rank on a
#                         node its share of the cores): on one machine this stays near 1x, the gain is on a cluster.
#                         --bind-to none: OpenMPI binds each rank to one core when it starts 2 or fewer, which
#                         would leave a lone rank one core (6.6 s against 3.5 s unbound for --isl 8192 --spec-decode mtp)
# Usage: bench/mpi_speedup.sh BINARY [extra frontier flags]
set -eu
bin=${1:?usage: $0 path/to/waferscope [frontier flags]}
shift
args="frontier --model all --hardware all --max-concurrency 1024 --format csv $*"
mpirun=$(command -v mpirun || true)
if [ -z "$mpirun" ]; then echo "mpi speed-up: no mpirun (apt-get install openmpi-bin libopenmpi-dev)"; exit 0; fi
# Root in containers, more ranks than cores, no CMA single copy (needs ptrace rights containers withhold).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

seconds() {  # seconds OUTFILE COMMAND...: wall time of COMMAND, its stdout to OUTFILE
  out=$1; shift
  start=$(date +%s.%N)
  "$@" > "$out"
  end=$(date +%s.%N)
  awk "BEGIN { print $end - $start }"
}

alone=$(seconds "$tmp/alone.csv" "$bin" $args)
pairs=$(cut -d, -f1,2 "$tmp/alone.csv" | tail -n +2 | sort -u | wc -l)
echo "mpi speed-up: waferscope $args"
echo "  one process without mpirun: $(printf '%.2f' "$alone") s, $(wc -l < "$tmp/alone.csv") lines, $pairs model x hardware pairs with points"
for threads in 1 all; do
  if [ "$threads" = 1 ]; then export WAFERSCOPE_THREADS=1; label="one thread per rank"; else unset WAFERSCOPE_THREADS; label="all cores ($(nproc))"; fi
  t1=$(seconds "$tmp/r1.csv" "$mpirun" -n 1 --oversubscribe --bind-to none "$bin" $args)
  t2=$(seconds "$tmp/r2.csv" "$mpirun" -n 2 --oversubscribe --bind-to none "$bin" $args)
  for n in 1 2; do
    cmp -s "$tmp/alone.csv" "$tmp/r$n.csv" || { echo "  $label: $n ranks wrote other bytes than one process"; exit 1; }
  done
  echo "  $label: 1 rank $(printf '%.2f' "$t1") s, 2 ranks $(printf '%.2f' "$t2") s, speed-up $(awk "BEGIN { printf \"%.2f\", $t1 / $t2 }")x (output byte-identical)"
done
