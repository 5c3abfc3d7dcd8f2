"""Archive analysis at scale (`commonsky analyze`, docs/archive.md): losses of separation and zone infringements
over months of state vectors, on Dask.

- `schema`, `source`: the two archive schemas, detected from the columns, SI at the edge; files checked first;
- `partition`: time block x tile partitions, halos, keys, ownership;
- `read`, `pieces`: the direct plan's tasks, each reading its own row groups (no shuffle);
- `reports`, `losses`, `infringements`, `block`: the work of one partition (over `commonsky.safety.loss_search`)
  and the fragment merge that makes the answer independent of the partitioning;
- `engine`, `cluster`: the Dask plan and the client (LocalCluster or a running scheduler);
- `outputs`, `regions`: files, counts per day and region, the heat map (`commonsky.render.heatmap`).

Nothing is imported here: Dask and pandas load only when a command uses them.
"""
