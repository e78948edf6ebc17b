-- The occupation_cells GIN index (005) already narrows matching to the
-- right place; ANDing it with this btree over a whole box made bitmaps go
-- lossy in dense areas (1.5M rows rechecked for one Paris offer at 6M).
DROP INDEX candidates_lat_lon;
