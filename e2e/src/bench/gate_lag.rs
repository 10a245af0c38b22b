//! Gate lag: how long after the simulated Healthy transition each pod's gate turns True.
