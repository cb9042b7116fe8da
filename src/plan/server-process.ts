/**
 * Shell functions, the one way every command tells whether the recorded server is alive:
 * - `start_ticks PID` sets `ticks` to the start time of a process (field 22 of /proc/PID/stat), counted after
 *   the ")" that ends the process name, which may itself hold spaces and parentheses (a plain
 *   `cut -d" " -f22` miscounts for those); it fails when there is no such process.
 * - `recorded_server_alive FILE` reads the PID file into pid, start, fp and salt, and succeeds when that PID
 *   still runs the process that was started: its start time matches, so a reused PID does not count.
 * Builtins only: the probe calls them without forking a process.
 */
export const SERVER_PROCESS_FUNCTIONS = [
  'start_ticks() { ticks=; local st; [ -r "/proc/$1/stat" ] && read -r st < "/proc/$1/stat" || return 1; st=${st##*) }; set -- $st; ticks=${20}; [ -n "$ticks" ]; }',
  'recorded_server_alive() { pid= start= fp= salt=; [ -f "$1" ] && read -r pid start fp salt < "$1" && [ -n "$pid" ] && [ -n "$start" ] && start_ticks "$pid" && [ "$ticks" = "$start" ]; }',
].join('\n');
