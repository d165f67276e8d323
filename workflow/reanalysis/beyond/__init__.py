""""Is the effect real?", stage 7 (``rules/beyond.smk``): regression to the mean, tipping
points, Carlisle's baseline check, pooled evidence, resampling and the reverse search.
``questions`` runs them from the config. May import every earlier stage."""
