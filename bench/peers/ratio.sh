#!/bin/sh
# ratio.sh reads `go test -bench . -count N` output of this module on stdin
# and prints, per round, zitadel's time per request divided by oidcrs
# uncached (above 1: oidcrs is faster), then the median of the rounds.
#
#	pair:     BenchmarkIntrospectionPair, zitadel, oidcrs uncached and the
#	          raw floor rotating request by request within one round (the
#	          figure to quote); also the medians of oidcrs/floor and
#	          zitadel/floor (the best zitadel/oidcrs any library doing the
#	          POST and a JSON decode could reach)
#	separate: round i of Introspection/zitadel over round i of
#	          Introspection/oidcrs_uncached (consecutive, not interleaved)
#
# Usage: go test -run '^$' -bench . -benchmem -count 10 . | tee out.txt
#        ./ratio.sh < out.txt
set -eu
in=$(mktemp)
trap 'rm -f "$in"' EXIT
cat >"$in"

median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) exit; m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.3f (%d rounds)\n", m, NR}'; }

echo "pair (interleaved per request): zitadel/oidcrs"
awk '/^BenchmarkIntrospectionPair/ {for (i=2;i<NF;i++) if ($(i+1)=="zitadel/oidcrs") printf "  round %2d  %.3f\n", ++n, $i}' "$in"
printf "  median    "
awk '/^BenchmarkIntrospectionPair/ {for (i=2;i<NF;i++) if ($(i+1)=="zitadel/oidcrs") print $i}' "$in" | median

for m in oidcrs/floor zitadel/floor; do
	printf "pair: median %s  " "$m"
	awk -v m="$m" '/^BenchmarkIntrospectionPair/ {for (i=2;i<NF;i++) if ($(i+1)==m) print $i}' "$in" | median
done

echo "separate (round i of each): zitadel ns/op / oidcrs_uncached ns/op"
awk '/^BenchmarkIntrospection\/oidcrs_uncached/ {u[++a]=$3}
     /^BenchmarkIntrospection\/zitadel/ {z[++b]=$3}
     END {for (i=1;i<=a && i<=b;i++) printf "  round %2d  %.3f\n", i, z[i]/u[i]}' "$in"
printf "  median    "
awk '/^BenchmarkIntrospection\/oidcrs_uncached/ {u[++a]=$3}
     /^BenchmarkIntrospection\/zitadel/ {z[++b]=$3}
     END {for (i=1;i<=a && i<=b;i++) print z[i]/u[i]}' "$in" | median
