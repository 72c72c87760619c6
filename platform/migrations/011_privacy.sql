-- Privacy (issue 12): consent that cannot be bypassed, blinder regions, E2EE policy.

-- Screen-share requests of one call: a refusal blocks the next request for 60 s;
-- a third request needs the shopper to have allowed further requests on the kiosk.
alter table calls add column share_requests integer not null default 0 check (share_requests >= 0);
alter table calls add column share_refused_at timestamptz;
alter table calls add column share_more_allowed boolean not null default false;

-- Per tenant: fixed regions blinded on every kiosk share (fractions of the screen,
-- [{x,y,w,h}] each in 0..1), and whether calls use end-to-end encryption.
alter table tenants add column blinder_regions jsonb not null default '[]'::jsonb
  check (jsonb_typeof(blinder_regions) = 'array' and jsonb_array_length(blinder_regions) <= 20);
-- Existing tenants keep E2EE off until an admin turns it on; new tenants get it on.
alter table tenants add column e2ee boolean not null default false;
alter table tenants alter column e2ee set default true;
