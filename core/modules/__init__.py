"""Program modules (程序模块, seed 4.15): parts of the staff site switched on or off per role."""
