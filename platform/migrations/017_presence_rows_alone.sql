-- The tenant's presence read (platform/calls/calls.repo.ts, presenceStates) no longer joins the
-- accounts to leave out disabled accounts and other roles: only an enabled concierge's presence
-- row can be other than offline. upsertPresence writes a row only for an enabled concierge (with
-- the account row share-locked), and disabling or archiving a concierge sets its row offline in
-- the same transaction (platform/calls/queue.ts, conciergeRemoved).
--
-- Every ring, accept, hang-up and kiosk stream snapshot reads the presence. The join cost three
-- index pages per concierge, and under row level security PostgreSQL cannot use the role test
-- (enum equality, not leakproof) in an index scan or look at its statistics: some plans read
-- every account of the tenant, kiosks included. On the bench's database (a tenant of 140
-- concierges and 2,000 kiosks, EXPLAIN ANALYZE, four runs each): 0.45-1.5 ms and 446 buffer pages
-- with the join (one index probe per concierge; 1.07 ms when the plan read all 2,160 accounts),
-- 0.11-0.27 ms and 26 pages without it.
--
-- The rows written before this release: offline for accounts already disabled, and for any
-- account that is not a concierge.
update concierge_presence p
set status = 'offline', updated_at = now(), disconnected_at = coalesce(p.disconnected_at, now())
from accounts a
where a.id = p.account_id and (a.disabled_at is not null or a.role <> 'concierge') and p.status <> 'offline';
