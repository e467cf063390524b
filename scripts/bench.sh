#!/usr/bin/env bash
# Runs the performance benchmarks and prints Markdown tables: the median of
# COUNT rounds of each benchmark (ns/op, B/op, allocs/op, other metrics),
# then the comparisons the targets are stated in, and per framework the
# three columns Bare, Floor and CachedHit with their differences.
#
# Each round is one `go test` process per package that runs a baseline and
# its subject back to back; a comparison is computed within each round, then
# its median over the rounds is printed. Pairing rounds this way keeps a
# noisy, shared machine from skewing one side of a comparison.
#
#   scripts/bench.sh                  # COUNT=5 rounds
#   COUNT=10 scripts/bench.sh         # steadier medians
#   RAW=bench.txt scripts/bench.sh    # also keep the raw go test output
#
# Needs go and a POSIX awk (mawk or gawk) only.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${COUNT:-5}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# run FILE DIR ARGS...: one go test process in DIR, output appended to
# $tmp/FILE.
run() {
	local file=$1 dir=$2
	shift 2
	echo "  (cd $dir && go test -run '^\$' -benchmem $*)" >&2
	if ! (cd "$dir" && go test -run '^$' -benchmem "$@" .) >"$tmp/last" 2>&1; then
		cat "$tmp/last" >&2
		exit 1
	fi
	cat "$tmp/last" >>"$tmp/$file"
}

for ((round = 1; round <= count; round++)); do
	echo "round $round of $count" >&2
	# --- core ---------------------------------------------------------------
	# The hot path: the route with and without the middleware, its floor
	# (the context write any middleware pays), the framework-neutral part
	# of a hit; a Set into a full cache.
	run core.txt core -count 1 -bench \
		'^Benchmark(Bare|CachedHit|Floor)NetHTTP|^BenchmarkCachedAuthenticate$|^BenchmarkMemoryCacheSetFull$'
	# Uncached introspection, its crypto floor, and the floor followed by a
	# JSON introspection in one loop.
	run uncached.txt core -count 1 -bench '^BenchmarkIntrospect|^BenchmarkCryptoFloor|^BenchmarkFloorThenJSON'
	# Cached hits from concurrent goroutines, on 1 and 2 CPUs.
	run parallel.txt core -count 1 -cpu 1,2 -bench 'Parallel(Distinct|Outage)?$'

	# --- adapters -----------------------------------------------------------
	# One process per adapter module: the bare route, the same route behind
	# a middleware that only writes one value into the context (the floor),
	# and behind the adapter's middleware with the token cached, back to
	# back.
	run gin.txt adapters/gin -count 1 -bench '^Benchmark(Bare|Floor|CachedHit)Gin$'
	run echo.txt adapters/echo -count 1 -bench '^Benchmark(Bare|Floor|CachedHit)Echo$'
	run echov5.txt adapters/echov5 -count 1 -bench '^Benchmark(Bare|Floor|CachedHit)EchoV5$'
	run chi.txt adapters/chi -count 1 -bench '^Benchmark(Bare|Floor|CachedHit)Chi$'
	# gRPC: the unary interceptor called directly (no transport), then the
	# same through a gRPC client and server on bufconn (no floor there).
	run grpc.txt adapters/grpc -count 1 -bench '^Benchmark(Bare|Floor|CachedHit)GRPC(Bufconn)?$'
	run parallel-adapters.txt adapters/gin -count 1 -cpu 1,2 -bench 'ParallelGin$'
	run parallel-adapters.txt adapters/echo -count 1 -cpu 1,2 -bench 'ParallelEcho$'
	run parallel-adapters.txt adapters/echov5 -count 1 -cpu 1,2 -bench 'ParallelEchoV5$'
	run parallel-adapters.txt adapters/chi -count 1 -cpu 1,2 -bench 'ParallelChi$'
	run parallel-adapters.txt adapters/grpc -count 1 -cpu 1,2 -bench 'ParallelGRPC$'
done
# Heap per cached entry at 100,000 entries: one fill per run is enough.
echo "memory" >&2
run memory.txt core -count 3 -benchtime 1x -bench '^BenchmarkCacheMemoryPerEntry$'

if [ -n "${RAW:-}" ]; then
	cat "$tmp"/*.txt >"$RAW"
fi

echo "machine: $(nproc) CPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(go version | cut -d' ' -f3-)"
echo "command: COUNT=$count scripts/bench.sh"
echo

awk '
# Median of v[1..n] (insertion sort: POSIX awk has none).
function median(v, n,    i, j, x) {
	for (i = 2; i <= n; i++) {
		x = v[i]
		for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]
		v[j + 1] = x
	}
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function stat(name, unit,    n, i, v) {
	n = cnt[name, unit]
	if (n == 0) return ""
	for (i = 1; i <= n; i++) v[i] = val[name, unit, i]
	return median(v, n)
}
# spread: (max - min) / median of ns/op over the rounds.
function spread(name,    n, i, x, lo, hi, m) {
	n = cnt[name, "ns/op"]
	for (i = 1; i <= n; i++) {
		x = val[name, "ns/op", i]
		if (i == 1 || x < lo) lo = x
		if (i == 1 || x > hi) hi = x
	}
	m = stat(name, "ns/op")
	return m > 0 ? sprintf("%.0f%%", 100 * (hi - lo) / m) : ""
}
# Median over the rounds of a - b (op "-") or a / (b + c) (op "/").
function paired(op, unit, a, b, c,    n, i, v, d) {
	n = cnt[a, unit]
	if (cnt[b, unit] < n) n = cnt[b, unit]
	if (c != "" && cnt[c, unit] < n) n = cnt[c, unit]
	if (n == 0) return ""
	for (i = 1; i <= n; i++) {
		if (op == "-") v[i] = val[a, unit, i] - val[b, unit, i]
		else {
			d = val[b, unit, i] + (c == "" ? 0 : val[c, unit, i])
			v[i] = d > 0 ? val[a, unit, i] / d : 0
		}
	}
	return median(v, n)
}
function fmtnum(x) {
	if (x == "") return "n/a"
	if (x == int(x)) return sprintf("%d", x)
	if (x >= 100 || x <= -100) return sprintf("%.0f", x)
	return sprintf("%.2f", x)
}
function has(name) { return cnt[name, "ns/op"] > 0 }
function diffrow(label, a, b) {
	if (has(a) && has(b))
		printf "| %s | %s ns, %s allocs, %s B | |\n", label, fmtnum(paired("-", "ns/op", a, b)), \
			fmtnum(paired("-", "allocs/op", a, b)), fmtnum(paired("-", "B/op", a, b))
}
/^Benchmark/ {
	name = $1
	procs = 1
	if (match(name, /-[0-9]+$/)) {
		procs = substr(name, RSTART + 1)
		name = substr(name, 1, RSTART - 1)
	}
	if (FILENAME ~ /parallel/) name = name " (cpu=" procs ")"
	if (!(name in seen)) { seen[name] = 1; order[++names] = name }
	for (i = 3; i < NF; i += 2) {
		unit = $(i + 1)
		val[name, unit, ++cnt[name, unit]] = $i
		if (unit != "ns/op" && unit != "B/op" && unit != "allocs/op" && !(unit in extra)) {
			extra[unit] = 1
			units[++nunits] = unit
		}
	}
}
END {
	print "| benchmark | ns/op | spread | B/op | allocs/op | other |"
	print "| --- | ---: | ---: | ---: | ---: | --- |"
	for (i = 1; i <= names; i++) {
		n = order[i]
		other = ""
		for (j = 1; j <= nunits; j++)
			if (cnt[n, units[j]] > 0) other = other sprintf("%s %s ", fmtnum(stat(n, units[j])), units[j])
		printf "| %s | %s | %s | %s | %s | %s |\n", n, fmtnum(stat(n, "ns/op")), spread(n), \
			fmtnum(stat(n, "B/op")), fmtnum(stat(n, "allocs/op")), other
	}
	print ""
	print "| comparison (median over rounds) | value | target |"
	print "| --- | ---: | --- |"
	bare = "BenchmarkBareNetHTTP"; hit = "BenchmarkCachedHitNetHTTP"; cw = "BenchmarkFloorNetHTTP"
	if (has(bare) && has(hit)) {
		dns = paired("-", "ns/op", hit, bare); dal = paired("-", "allocs/op", hit, bare)
		printf "| middleware overhead = CachedHit - Bare | %s ns, %s allocs, %s B | <= 300 ns: %s; <= 3 allocs: %s |\n", \
			fmtnum(dns), fmtnum(dal), fmtnum(paired("-", "B/op", hit, bare)), \
			(dns <= 300 ? "met" : "missed"), (dal <= 3 ? "met" : "missed")
		printf "| ratio CachedHit / Bare | %s | |\n", fmtnum(paired("/", "ns/op", hit, bare))
	}
	diffrow("context write alone = Floor - Bare", cw, bare)
	diffrow("rest of the hit = CachedHit - Floor", hit, cw)
	# Parallel hits scale: ns/op on 2 CPUs over ns/op on 1, within each
	# round (target <= 0.6 on one token).
	npar = split("VerifyParallel VerifyParallelDistinct VerifyParallelOutage CachedHitParallel CachedHitParallelDistinct FloorParallel BareParallel", pars, " ")
	for (q = 1; q <= npar; q++) {
		a = "Benchmark" pars[q] " (cpu=2)"; b = "Benchmark" pars[q] " (cpu=1)"
		if (!has(a) || !has(b)) continue
		r = paired("/", "ns/op", a, b)
		printf "| parallel %s: ns/op cpu=2 / cpu=1 | %s | %s |\n", pars[q], fmtnum(r), \
			(pars[q] ~ /^(VerifyParallel|CachedHitParallel)$/ ? "<= 0.6: " (r <= 0.6 ? "met" : "missed") : "")
	}
	pair = "BenchmarkIntrospectJSONPair"
	if (cnt[pair, "uncached/floor"] > 0) {
		r = stat(pair, "uncached/floor")
		printf "| JSON uncached / raw introspection floor (IntrospectJSONPair, interleaved) | %s | <= 1.10: %s |\n", \
			fmtnum(r), (r <= 1.10 ? "met" : "missed")
	}
	js = "BenchmarkIntrospectJSONUncached"
	split("RSA EC", kinds, " ")
	for (k = 1; k <= 2; k++) {
		jwt = "BenchmarkIntrospectJWTUncached_" kinds[k]; fl = "BenchmarkCryptoFloor_" kinds[k]
		seq = "BenchmarkFloorThenJSON_" kinds[k]
		if (has(jwt) && has(fl) && has(js)) {
			r = paired("/", "ns/op", jwt, fl, js)
			printf "| JWT uncached / (crypto floor + JSON uncached), %s | %s | <= 1.2: %s |\n", kinds[k], \
				fmtnum(r), (r <= 1.2 ? "met" : "missed")
		}
		if (has(jwt) && has(seq)) {
			r = paired("/", "ns/op", jwt, seq)
			printf "| JWT uncached / FloorThenJSON (the same sum, one loop), %s | %s | <= 1.2: %s |\n", kinds[k], \
				fmtnum(r), (r <= 1.2 ? "met" : "missed")
		}
	}
	nfw = split("Gin Echo EchoV5 Chi GRPC GRPCBufconn", fws, " ")
	for (f = 1; f <= nfw; f++) {
		bare = "BenchmarkBare" fws[f]; hit = "BenchmarkCachedHit" fws[f]
		if (has(bare) && has(hit)) {
			dns = paired("-", "ns/op", hit, bare); dal = paired("-", "allocs/op", hit, bare)
			printf "| %s: CachedHit - Bare | %s ns, %s allocs, %s B | <= 300 ns: %s; <= 3 allocs: %s |\n", fws[f], \
				fmtnum(dns), fmtnum(dal), fmtnum(paired("-", "B/op", hit, bare)), \
				(dns <= 300 ? "met" : "missed"), (dal <= 3 ? "met" : "missed")
			printf "| %s: ratio CachedHit / Bare | %s | |\n", fws[f], fmtnum(paired("/", "ns/op", hit, bare))
		}
	}
	# Per framework: Bare, Floor (the same route behind a middleware that
	# only writes one value into the context) and CachedHit, medians; the
	# differences are medians of the differences within each round.
	print ""
	print "| framework | Bare ns/op | Floor ns/op | CachedHit ns/op | CachedHit - Floor | Floor - Bare | target: CachedHit - Floor <= 120 ns, 0 allocs |"
	print "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
	nfw = split("NetHTTP Gin Echo EchoV5 Chi GRPC", fws, " ")
	for (f = 1; f <= nfw; f++) {
		bare = "BenchmarkBare" fws[f]; fl = "BenchmarkFloor" fws[f]; hit = "BenchmarkCachedHit" fws[f]
		if (!has(fl) || !has(hit)) continue
		dns = paired("-", "ns/op", hit, fl); dal = paired("-", "allocs/op", hit, fl)
		printf "| %s | %s | %s | %s | %s ns, %s allocs, %s B | %s | %s ns: %s; %s allocs: %s |\n", fws[f], \
			(has(bare) ? fmtnum(stat(bare, "ns/op")) : "n/a"), fmtnum(stat(fl, "ns/op")), fmtnum(stat(hit, "ns/op")), \
			fmtnum(dns), fmtnum(dal), fmtnum(paired("-", "B/op", hit, fl)), \
			(has(bare) ? sprintf("%s ns, %s allocs", fmtnum(paired("-", "ns/op", fl, bare)), fmtnum(paired("-", "allocs/op", fl, bare))) : "n/a"), \
			fmtnum(dns), (dns <= 120 ? "met" : "missed"), fmtnum(dal), (dal <= 0 ? "met" : "missed")
	}
}' "$tmp"/*.txt
