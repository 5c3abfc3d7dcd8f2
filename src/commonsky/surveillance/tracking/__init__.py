"""Multi-target tracking on column arrays: Kalman filter, gating, GNN assignment, track life cycle.

The roles follow Stone Soup (predictor, updater, gater/hypothesiser, associator, initiator, deleter), each a small
protocol in `tracking.roles` with vectorised implementations beside it; `tracking.tracker.Tracker` wires them.
"""
