#!/usr/bin/env bash
# Mutation testing of the money and signing modules (`make mutation`; not in CI: slow).
#
# mutmut 3 (configured in pyproject.toml [tool.mutmut]) copies the project into mutants/,
# mutates the modules listed there, runs the suite once to learn which tests reach which
# function, then runs only those tests against each mutant, on PostgreSQL. Results stay in
# mutants/ (a re-run only tests what changed); scripts/mutation_report.py writes docs/MUTATION.md.
#
#   make mutation                                   # every module, one after the other
#   MUTATION_MODULES="wallet.money providers.oppi.signing" make mutation   # some modules
#   MUTATION_CHILDREN=2 make mutation               # parallel mutants (default 1: shared 2-core machine)
#   MUTATION_DATABASE_URL=postgres://... make mutation   # default: database backoffice_mutation
#   MUTATION_RERUN=1 make mutation                  # forget earlier verdicts (default: resume)
#   MUTATION_RUN_EQUIVALENTS=1 make mutation        # also run the mutants argued equivalent
#   MUTATION_SURVIVORS_ONLY=1 make mutation         # only re-try survivors (after adding tests)
set -uo pipefail
cd "$(dirname "$0")/.."

MODULES=${MUTATION_MODULES:-"providers.onegaming.signing providers.oppi.signing wallet.money wallet.checks wallet.services wallet.gameplay providers.onegaming.parsing providers.oppi.parsing"}
export DATABASE_URL=${MUTATION_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/backoffice_mutation}
export HYPOTHESIS_PROFILE=mutation
unset TEST_REDIS_URL  # the Redis tests reach none of these modules
echo "mutation testing on $DATABASE_URL (the tests use test_<that name>), modules: $MODULES"

# One mutmut run for all the modules: its fixed costs (copying, listing the tests, a clean run
# of every covering test) are paid once. A module met before contributes only its mutants
# without a verdict or that survived (the run is resumable); a new one, all of its mutants.
# Mutants listed in scripts/mutation_equivalents.toml are not run (MUTATION_RUN_EQUIVALENTS=1 runs them):
# a surviving mutant runs every test that reaches it, minutes each.
if [ ! -f mutants/wallet/money.py.meta ] || [ "${MUTATION_RERUN:-}" = "1" ]; then
  # First run (or start over): let mutmut generate the mutants and learn which tests reach which
  # function; it then stops, as no mutant has this name. Its findings are kept in mutants/.
  [ "${MUTATION_RERUN:-}" = "1" ] && rm -rf mutants
  log=$(mktemp)
  .venv/bin/mutmut run --max-children 1 "generate.only.no.such.mutant" >"$log" 2>&1
  if [ ! -f mutants/wallet/money.py.meta ] || [ ! -f mutants/mutmut-stats.json ]; then
    tail -n 30 "$log" >&2
    echo "mutmut could not generate the mutants or run the suite once (full log: $log)" >&2
    rm -rf mutants  # a half-made mutants/ would be taken for a finished first run
    exit 2
  fi
  rm -f "$log"
else
  # Resuming: let mutmut regenerate the mutants of what changed since (a changed function's
  # mutants are renumbered and lose their verdicts), so that the list below names them as they are now.
  .venv/bin/mutmut run --max-children 1 "generate.only.no.such.mutant" >/dev/null 2>&1
fi
targets=()
for module in $MODULES; do
  # shellcheck disable=SC2207
  targets+=($(.venv/bin/python scripts/mutation_report.py pending "$module"))
done
status=0
if [ ${#targets[@]} -gt 0 ]; then
  echo "mutants to run: ${#targets[@]} names/patterns"
  .venv/bin/mutmut run --max-children "${MUTATION_CHILDREN:-1}" "${targets[@]}" || status=$?
else
  echo "every mutant has a verdict (MUTATION_RERUN=1 to run them again)"
fi
.venv/bin/python scripts/mutation_report.py || status=$?
echo "wrote docs/MUTATION.md"
exit $status
