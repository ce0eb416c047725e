#!/usr/bin/env bash
# End-to-end audit of a real kernel tree (Debian's linux-source-6.12), run by .ci/run after
# the unit tests. Asserts: no crash (exit 0/1), every GUP call site the token scan saw is
# attributed to a function, the SARIF log is written; prints counts per rule. No timing
# assertions (the benchmark is `npm run bench -- TREE`).
set -euo pipefail
cd "$(dirname "$0")/.."
TREE="${GUP_AUDIT_E2E_TREE:-}"
if [ -z "$TREE" ]; then
  work="${TMPDIR:-/tmp}/gup-audit-e2e"
  TREE="$work/linux-source-6.12"
  if [ ! -f "$TREE/Makefile" ]; then
    if [ ! -f /usr/src/linux-source-6.12.tar.xz ]; then
      if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-source-6.12; } >/tmp/gup-audit-e2e-apt.log 2>&1; then
        echo "e2e: SKIPPED: could not install linux-source-6.12 (see /tmp/gup-audit-e2e-apt.log)"
        exit 0
      fi
    fi
    mkdir -p "$work"
    tar -C "$work" -xf /usr/src/linux-source-6.12.tar.xz
  fi
fi
out=$(mktemp -d)
set +e
node bin/gup-audit.js "$TREE" --format json -o "$out/audit.json" --fail-on none 2>"$out/stderr"
rc=$?
node bin/gup-audit.js "$TREE" --format sarif -o "$out/audit.sarif" --fail-on none 2>>"$out/stderr"
rc2=$?
set -e
if [ $rc -ne 0 ] || [ $rc2 -ne 0 ]; then
  echo "e2e: FAILED: exit codes $rc/$rc2"; cat "$out/stderr"; exit 1
fi
node -e '
const r = require(process.argv[1]);
const s = r.stats;
const byRule = {};
for (const f of r.findings) byRule[f.ruleId] = (byRule[f.ruleId] || 0) + 1;
console.log(`e2e: kernel ${r.kernel.version}: ${s.filesDiscovered} files, ${s.candidateFiles} candidates, ${s.functionsExtracted} functions`);
console.log(`e2e: GUP call sites seen ${s.gupTokenSites}, attributed ${s.gupCallSitesAttributed}`);
console.log(`e2e: lock context ${JSON.stringify(s.lockContext)}`);
console.log(`e2e: findings per rule ${JSON.stringify(byRule)}`);
const errors = r.notifications.filter((n) => n.level === "error");
if (errors.length) { console.log("e2e: FAILED: files not audited:", errors.slice(0, 10)); process.exit(1); }
if (s.gupTokenSites === 0 || s.gupTokenSites !== s.gupCallSitesAttributed) { console.log("e2e: FAILED: unattributed GUP call sites", s.unattributed.slice(0, 10)); process.exit(1); }
const sarif = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
if (sarif.version !== "2.1.0" || sarif.runs[0].results.length !== r.findings.length) { console.log("e2e: FAILED: SARIF results differ"); process.exit(1); }
console.log("e2e: OK");
' "$out/audit.json" "$out/audit.sarif"
# The full-tree SARIF log against the official 2.1.0 schema (test/sarif.test.js).
SARIF_FILE="$out/audit.sarif" node --test --test-name-pattern=SARIF_FILE test/sarif.test.js >"$out/sarif-test.log" 2>&1 || { echo "e2e: FAILED: SARIF schema validation"; tail -30 "$out/sarif-test.log"; exit 1; }
echo "e2e: SARIF log of the whole tree validates ($(wc -c <"$out/audit.sarif") bytes)"
rm -rf "$out"

# The census of GUP call sites (README: "Callers census").
node bin/gup-audit.js callers "$TREE" | tail -1 | sed 's/^/e2e: callers: /'

# fix --format-patch mails (a git copy of the demo tree) pass the kernel's own
# scripts/checkpatch.pl --strict.
fp="$(mktemp -d)"
cp -r fixtures/demo "$fp/tree"
( cd "$fp/tree" && git init -q -b main && git config user.name "E2E Test" && git config user.email e2e@example.org && git add . && git commit -qm base )
( cd "$fp/tree" && node "$OLDPWD/bin/gup-audit.js" fix . --format-patch "$fp/mails" --signoff )
if ! perl "$TREE/scripts/checkpatch.pl" --strict --no-tree "$fp"/mails/*.patch >"$fp/checkpatch.log" 2>&1; then
  echo "e2e: FAILED: checkpatch --strict on fix --format-patch mails"; cat "$fp/checkpatch.log"; exit 1
fi
echo "e2e: checkpatch --strict: $(ls "$fp"/mails/*.patch | wc -l) fix mail(s) clean"
rm -rf "$fp"

# make C=2 CHECK=gup-audit on a small directory with GUP callers (kernel/events: uprobes.c),
# out of tree (O=) so the source stays untouched. Needs gcc, make, flex, bison, bc and
# libelf-dev (.ci/run installs them); skipped with a message when they are missing.
KDIR="${GUP_AUDIT_E2E_KDIR:-kernel/events/}"
if ! command -v gcc >/dev/null || ! command -v make >/dev/null || ! command -v flex >/dev/null || ! command -v bison >/dev/null || ! command -v bc >/dev/null; then
  echo "e2e: make C=2: SKIPPED (gcc, make, flex, bison and bc are needed)"
  exit 0
fi
build="$(mktemp -d)"
export XDG_CACHE_HOME="$build/cache"
cat >"$build/check" <<CHECK
#!/bin/sh
s=\$(date +%s%N)
node "$PWD/bin/gup-audit.js" "\$@"
rc=\$?
echo "\$(( (\$(date +%s%N) - s) / 1000000 )) \$rc" >>"$build/times"
exit \$rc
CHECK
chmod +x "$build/check"
node bin/gup-audit.js "$TREE" --cache --fail-on none >/dev/null   # the index the checks use
make -s -C "$TREE" O="$build/o" defconfig >"$build/make.log" 2>&1
make -s -C "$TREE" O="$build/o" -j"$(nproc)" prepare >>"$build/make.log" 2>&1 || { echo "e2e: FAILED: make prepare"; tail -20 "$build/make.log"; exit 1; }
t0=$(date +%s%N)
make -C "$TREE" O="$build/o" -j1 "$KDIR" >>"$build/make.log" 2>&1 || { echo "e2e: FAILED: make $KDIR"; tail -20 "$build/make.log"; exit 1; }
compile_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
compiled=$(grep -c "^  CC " "$build/make.log" || true)
: >"$build/times"
make -C "$TREE" O="$build/o" -j1 C=2 CHECK="$build/check" "$KDIR" >"$build/check.log" 2>&1 || { echo "e2e: FAILED: make C=2 failed the build"; tail -20 "$build/check.log"; exit 1; }
checked=$(grep -c "^  CHECK " "$build/check.log" || true)
findings=$(grep -cE '^[^ ]+:[0-9]+:[0-9]+: (error|warning|note): .*\[[a-z-]+\]$' "$build/check.log" || true)
[ "$checked" -gt 0 ] && [ "$(wc -l <"$build/times")" -ge "$checked" ] || { echo "e2e: FAILED: make C=2 ran no check"; exit 1; }
awk -v kdir="$KDIR" -v files="$checked" -v findings="$findings" -v cms="$compile_ms" -v cc="$compiled" '
  { s += $1; if ($2 != 0) bad++ }
  END {
    printf "e2e: make C=2 %s: %d files checked, %d findings, %.2f s per check (mean), compile %.2f s per file (%d files, -j1)\n", kdir, files, findings, s / NR / 1000, cms / cc / 1000, cc
    if (bad) { print "e2e: FAILED: a check exited non-zero"; exit 1 }
  }' "$build/times"
# (No finding is a fine outcome: grep's exit 1 then is not a failure.)
{ grep -E '^[^ ]+:[0-9]+:[0-9]+: (error|warning|note): ' "$build/check.log" || true; } | cut -c1-160 | sed 's/^/e2e:   /'
rm -rf "$build"
