"""进度考核 (seed 4.10): assessment schemes, assessments per department and period, corrections, appeals."""
