"""Run a command and print its peak memory: started from this small process, so that the
parent's own memory (the benchmark's arrays) is not counted in the child's maximum RSS."""

import os
import sys

pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stderr.write(f"\ncpu_s {usage.ru_utime + usage.ru_stime} maxrss_kb {usage.ru_maxrss}\n")
sys.exit(os.waitstatus_to_exitcode(status))
