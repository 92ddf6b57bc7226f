# Sourced by tests/integration/run and tools/demo (the caller sets `repo` and `venv`): the Ansible
# environment for runs against the API simulator, and starting/stopping the simulator with its URLs
# and credentials exported (tests/integration/sim_env.py) for the modules' environment fallbacks.
export PATH="$venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$repo/build/collections}
export ANSIBLE_PYTHON_INTERPRETER=$venv/bin/python
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0
# The simulator needs aiohttp: SIM_PYTHON lets an older ansible-core's venv run the playbooks.
sim_python=${SIM_PYTHON:-$venv/bin/python}
sim_pid=""

stop_sim() {
  [ -n "$sim_pid" ] && { kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; }
  sim_pid=""
}

# start_sim SCENARIO SPEED READY_FILE REQUEST_LOG OUTPUT [EXTRA_ARGS...]: (re)start the simulator,
# appending its output to OUTPUT, wait until it is ready and export what the modules need.
start_sim() {
  local scenario=$1 speed=$2 ready=$3 request_log=$4 output=$5
  shift 5
  stop_sim
  rm -f "$ready"
  PYTHONPATH=$repo/tests/simulator "$sim_python" -m quiesce_sim --scenario "$scenario" --speed "$speed" \
    --ready-file "$ready" --log-file "$request_log" "$@" >> "$output" 2>&1 &
  sim_pid=$!
  for _ in $(seq 1 100); do [ -s "$ready" ] && break; sleep 0.2; done
  [ -s "$ready" ] || { echo "simulator did not become ready:"; cat "$output"; exit 1; }
  eval "$("$sim_python" "$repo/tests/integration/sim_env.py" "$ready" "$scenario")"
}
