import sys

from bench import control_plane, invoke

# `python -m bench [control_plane|invoke]`: one of them, or all.
wanted = set(sys.argv[1:]) or {"control_plane", "invoke"}
if "control_plane" in wanted:
    control_plane.run()
if "invoke" in wanted:
    invoke.run()
