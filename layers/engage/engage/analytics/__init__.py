"""Analytics (issue 11 "Analytics, from counters kept by event consumers"; seed 003 section 3):
counters kept per tenant, per channel, per UTC hour and day by a bus consumer (consumer.py),
read by the `/analytics/*` routes (service.py) with one Query over a range's buckets."""
