"""Quiesce API simulator: MRS Manager, OCP, IAM and BMS test doubles on loopback listeners."""

API_NAMES = ("mrs_web", "mrs_cas", "ocp", "bms", "iam")
