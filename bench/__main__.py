from bench import control_plane

control_plane.run()
