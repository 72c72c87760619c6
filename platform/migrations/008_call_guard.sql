-- Call guard hardening (issue 8).

-- Single-use join tokens: the first join binds a token to that LiveKit participant
-- (its SID); the same token presented by another participant is refused.
alter table call_tokens add column participant_sid text;
grant update (participant_sid) on call_tokens to concierge_app;

-- Processed LiveKit webhook events (signed events are accepted once; LiveKit's
-- signature stays valid for 5 minutes, so a captured body could otherwise be replayed).
-- Platform data, not tenant data: holds event ids only.
create table livekit_webhook_events (
  id text primary key check (length(id) between 1 and 100),
  received_at timestamptz not null default now()
);
create index livekit_webhook_events_received on livekit_webhook_events (received_at);
grant select, insert, delete on livekit_webhook_events to concierge_app;

-- The per-kiosk call rate limit counts recent calls of one kiosk.
create index calls_kiosk_created on calls (kiosk_account_id, created_at);
