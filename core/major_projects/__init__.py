"""重大项目跟踪: the register, approval nodes, milestones, coordination and meetings (seed 4.8)."""
