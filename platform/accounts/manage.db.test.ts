/**
 * Account management (issue 11, item 2) from the attacker's side: another tenant's
 * admin, wrong roles and bad input change nothing; reset passwords must be changed;
 * archive keeps history and frees the login ID only when confirmed; photos are
 * checked by content (never SVG) and size.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archiveAccount, conciergePhoto, editDisplayName, resetPassword, searchAccounts, setConciergePhoto } from './manage.ts';
import { createAccount } from './accounts.ts';
import { enableAccount } from './disable.ts';
import { signIn } from './sign-in.ts';
import { validateSessionToken } from '../sessions/sessions.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { ownerDb } from '../testing/db.ts';
import { refusal } from '../testing/assert.ts';

const test = suite('account management');
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
const SVG = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
const NEW_PASSWORD = 'Reset-pass-5678';

async function setup() {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const c = await makeAccount(t, { role: 'concierge', displayName: 'Hanako Sato' });
	const k = await makeAccount(t, { role: 'kiosk' });
	return { t, admin, c, k };
}
const row = async (id: string) => (await ownerDb()`select * from accounts where id = ${id}`)[0]!;

test('reset password: sessions end, the new password works and must be changed first (not for kiosks)', async () => {
	const { admin, c, k } = await setup();
	const old = await signIn('console', { loginId: c.loginId, password: c.password }, { ip: '198.18.2.1' });
	assert.equal(await resetPassword(admin.actor, c.id, NEW_PASSWORD), { mustChange: true });
	assert.is(await validateSessionToken(old.token, 'console'), null);
	const fresh = await signIn('console', { loginId: c.loginId, password: NEW_PASSWORD }, { ip: '198.18.2.1' });
	assert.ok(fresh.passwordExpired, 'must change at next sign-in');
	assert.ok((await validateSessionToken(fresh.token, 'console'))?.session.passwordExpired);
	assert.equal(await resetPassword(admin.actor, k.id, NEW_PASSWORD), { mustChange: false });
	assert.not.ok((await signIn('kiosk', { loginId: k.loginId, password: NEW_PASSWORD }, { ip: '198.18.2.2' })).passwordExpired);
	assert.is((await refusal(resetPassword(admin.actor, c.id, 'short'))).code, 'weak_password');
	assert.is((await refusal(resetPassword(admin.actor, admin.id, NEW_PASSWORD))).code, 'self_change');
});

test('archive keeps history; the login ID is freed only with the typed confirmation; enable is refused', async () => {
	const { t, admin, c, k } = await setup();
	await ownerDb()`insert into calls (tenant_id, kiosk_account_id, state, room_name, ended_at) values (${t.id}, ${k.id}, 'missed', ${'call_' + 'a'.repeat(26) + Date.now().toString(36).slice(-6)}, now())`;
	assert.is((await refusal(archiveAccount(admin.actor, k.id, 'not-the-id'))).code, 'confirmation_mismatch');
	assert.is((await row(k.id)).archived_at, null, 'a wrong confirmation changes nothing');
	const session = await signIn('kiosk', { loginId: k.loginId, password: k.password }, { ip: '198.18.2.3' });
	assert.equal(await archiveAccount(admin.actor, k.id), { freed: false });
	assert.is(await validateSessionToken(session.token, 'kiosk'), null);
	assert.is((await refusal(signIn('kiosk', { loginId: k.loginId, password: k.password }, { ip: '198.18.2.3' }))).code, 'account_disabled');
	assert.is((await refusal(enableAccount(admin.actor, k.loginId))).code, 'archived');
	const prefix = (await ownerDb()`select login_prefix from tenants where id = ${t.id}`)[0]!.login_prefix as string;
	const reuse = `${prefix}-reuse-${Date.now().toString(36)}`;
	const named = await makeAccount(t, { role: 'concierge', loginId: reuse });
	await archiveAccount(admin.actor, named.id);
	assert.is(
		(await refusal(createAccount(admin.actor, { loginId: reuse, displayName: 'New', role: 'concierge', password: NEW_PASSWORD }))).code,
		'login_id_taken',
		'still reserved'
	);
	assert.equal(await archiveAccount(admin.actor, named.id, reuse.toUpperCase()), { freed: true });
	const r = await row(named.id);
	assert.is(r.archived_login_id, reuse);
	assert.match(String(r.login_id), /^archived\.[0-9a-f]{32}$/);
	await createAccount(admin.actor, { loginId: reuse, displayName: 'New', role: 'concierge', password: NEW_PASSWORD });
	assert.is((await ownerDb()`select count(*)::int as n from calls where kiosk_account_id = ${k.id}`)[0]!.n, 1, 'history kept');
	const archived = await searchAccounts(admin.actor, { q: null, role: null, state: 'archived' });
	assert.equal(archived.map((a) => a.id).sort(), [k.id, named.id].sort());
	assert.not.ok(
		(await searchAccounts(admin.actor, { q: null, role: null, state: null })).some((a) => a.id === k.id),
		'archived accounts are hidden by default'
	);
	void c;
});

test('photos: PNG accepted and served with its type; SVG, HTML, empty and oversized refused; only concierges', async () => {
	const { admin, c, k } = await setup();
	await setConciergePhoto(admin.actor, c.id, new Blob([PNG]));
	const p = await conciergePhoto(c.actor, c.id);
	assert.is(p.type, 'image/png');
	assert.equal([...p.photo], [...PNG]);
	assert.is((await refusal(setConciergePhoto(admin.actor, c.id, new Blob([SVG], { type: 'image/png' })))).status, 415, 'SVG, whatever its declared type');
	assert.is((await refusal(setConciergePhoto(admin.actor, c.id, new Blob(['<html>'])))).status, 415);
	assert.is((await refusal(setConciergePhoto(admin.actor, c.id, new Blob([])))).code, 'photo_required');
	const big = new Uint8Array(600 * 1024);
	big.set(PNG);
	assert.is((await refusal(setConciergePhoto(admin.actor, c.id, new Blob([big])))).status, 413);
	assert.is((await refusal(setConciergePhoto(admin.actor, k.id, new Blob([PNG])))).code, 'not_a_concierge');
	assert.equal([...(await conciergePhoto(c.actor, c.id)).photo], [...PNG], 'refusals left the photo as it was');
});

test('search by partial login ID or name, with role and state filters', async () => {
	const { admin, c, k } = await setup();
	const hit = await searchAccounts(admin.actor, { q: 'sato', role: null, state: null });
	assert.equal(
		hit.map((a) => a.id),
		[c.id]
	);
	const part = await searchAccounts(admin.actor, { q: k.loginId.slice(3, 10), role: 'kiosk', state: 'active' });
	assert.equal(
		part.map((a) => a.id),
		[k.id]
	);
	assert.is((await searchAccounts(admin.actor, { q: null, role: 'concierge', state: 'disabled' })).length, 0);
});

test('another tenant, wrong roles and bad input: a clear refusal, nothing changed', async () => {
	const { admin, c } = await setup();
	const other = await setup();
	const before = await row(c.id);
	const calls = [
		() => editDisplayName(other.admin.actor, c.id, 'Pwned'),
		() => resetPassword(other.admin.actor, c.id, NEW_PASSWORD),
		() => archiveAccount(other.admin.actor, c.id),
		() => setConciergePhoto(other.admin.actor, c.id, new Blob([PNG])),
		() => conciergePhoto(other.c.actor, c.id)
	];
	for (const f of calls) assert.is((await refusal(f())).status, 404);
	for (const who of [c.actor, other.k.actor, { ...admin.actor, role: 'operator' as const }]) {
		assert.is((await refusal(editDisplayName(who, c.id, 'x'))).code, 'admin_only');
		assert.is((await refusal(resetPassword(who, c.id, NEW_PASSWORD))).code, 'admin_only');
		assert.is((await refusal(archiveAccount(who, c.id))).code, 'admin_only');
		assert.is((await refusal(searchAccounts(who, { q: null, role: null, state: null }))).code, 'admin_only');
	}
	for (const bad of ['', 'x'.repeat(201), 42, null]) assert.is((await refusal(editDisplayName(admin.actor, c.id, bad))).status, 400);
	for (const badId of ['', 'nope', null, 7]) assert.is((await refusal(editDisplayName(admin.actor, badId, 'ok'))).status, 400);
	assert.equal(await row(c.id), before);
	await editDisplayName(admin.actor, c.id, '  Hanako S.  ');
	assert.is((await row(c.id)).display_name, 'Hanako S.');
});

test.run();
