/**
 * Audit entries as a person reads them: who did what to whom. Unknown actions fall
 * back to their code, so a new kind of entry is never hidden.
 */
export interface Describable {
	action: string;
	actorLoginId: string | null;
	targetType: string | null;
	targetId: string | null;
	targetLoginId?: string | null;
	detail: Record<string, unknown>;
}

const WHAT: Record<string, string> = {
	'signin.success': 'signed in',
	'signin.failed': 'failed to sign in (wrong password)',
	'signin.refused_role': 'was refused sign-in (wrong app)',
	'signin.refused_disabled': 'was refused sign-in (account disabled)',
	'signin.refused_locked': 'was refused sign-in (address locked out)',
	'signin.refused_expired': 'was refused sign-in (password expired)',
	'signin.refused_ip': 'was refused sign-in (address not on the allow-list)',
	'account.locked': 'locked an address out after failed sign-ins',
	'account.lock_alert': 'ALERT: failed sign-ins from many addresses',
	'account.created': 'created an account',
	'account.disabled': 'disabled an account',
	'account.enabled': 'enabled an account',
	'account.password_changed': 'changed a password',
	'account.permissions_changed': 'changed share permissions',
	'session.signed_out': 'signed out',
	'operator.read': 'platform operator read data',
	'call.created': 'placed a call',
	'call.cancelled': 'cancelled a call',
	'call.accepted': 'answered a call',
	'call.ended': 'ended a call',
	'call.missed': 'call was missed',
	'call.token_issued': 'joined a call (media token issued)',
	'call.intruder_removed': 'removed an intruder from a call',
	'call.participant_removed': 'removed a participant from a call',
	'call.share_requested': 'asked to see the kiosk screen',
	'call.share_consented': 'allowed screen sharing',
	'call.share_refused': 'refused screen sharing',
	'call.share_started': 'started screen sharing',
	'call.share_paused': 'paused screen sharing',
	'call.share_resumed': 'resumed screen sharing',
	'call.share_stopped': 'stopped screen sharing',
	'presence.changed': 'changed availability',
	'enrolment.code_issued': 'issued a kiosk enrolment code',
	'enrolment.code_revoked': 'voided a kiosk enrolment code',
	'enrolment.code_voided': 'enrolment code voided after five wrong tries',
	'enrolment.redeemed': 'enrolled the kiosk with a one-time code',
	'enrolment.alert': 'ALERT: many wrong enrolment codes',
	'tenant.policy_changed': 'changed the organisation settings',
	'tenant.staff_pin_changed': 'changed the kiosk staff PIN',
	'kiosk.staff_pin_locked': 'was locked out of the staff menu after repeated wrong PINs',
	'account.renamed': 'renamed an account',
	'account.password_reset': 'reset a password',
	'account.archived': 'archived an account',
	'account.photo_changed': 'changed a concierge photo',
	'reports.group_resolved': 'marked a problem group resolved',
	'reports.group_reopened': 'reopened a problem group',
	'signin.refused_suspended': 'was refused sign-in (organisation suspended)',
	'tenant.created': 'created an organisation',
	'tenant.suspended': 'suspended an organisation',
	'tenant.resumed': 'resumed an organisation',
	'fleet.kiosk_command': 'sent a command to a kiosk',
	'session.refused_ip': 'was refused (address not on the allow-list)',
	'group.created': 'created a concierge group',
	'group.changed': 'renamed a concierge group or changed its overflow delay',
	'group.deleted': 'deleted a concierge group',
	'group.members_changed': 'changed the concierges of a group',
	'group.kiosk_assigned': 'put a kiosk in a concierge group'
};

// Sign-in outcomes are written with the account as both actor and target: the
// sentence reads "kiosk-3 signed in", not "kiosk-3 signed in kiosk-3".
const SELF = /^(signin\.|session\.|account\.locked|account\.lock_alert|enrolment\.redeemed|enrolment\.code_voided|presence\.)/;

export function describeAudit(r: Describable): { who: string; what: string; whom: string } {
	let what = WHAT[r.action] ?? r.action;
	const count = Number(r.detail.count);
	if (count > 1) what += ` (×${count})`;
	if (r.action === 'presence.changed' && typeof r.detail.state === 'string') what += `: ${r.detail.state}`;
	const detailLogin = typeof r.detail.loginId === 'string' ? r.detail.loginId : null;
	const target = r.targetLoginId ?? detailLogin ?? (r.targetType && r.targetId ? `${r.targetType} ${r.targetId.slice(0, 8)}` : '');
	const who = r.actorLoginId ?? (SELF.test(r.action) ? (r.targetLoginId ?? detailLogin ?? 'system') : 'system');
	const whom = SELF.test(r.action) && (who === target || r.actorLoginId === null) ? '' : target;
	return { who, what, whom };
}
