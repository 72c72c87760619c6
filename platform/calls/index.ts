/** The calls domain, one concern per file; importers take what they need from here. */
export type * from './contract.ts';
export { runCallAction } from './actions.ts';
export { createCall, cancelCall, acceptCall, hangUpCall } from './lifecycle.ts';
export { setAvailability, conciergeRemoved } from './queue.ts';
export { conciergeCounts, consoleStreamBeat, consoleStreamClosed, consoleStreamOpened } from './presence.ts';
export { listCalls, callSnapshot } from './views.ts';
export { issueCallToken, identityOf, parseIdentity, TOKEN_TTL_SECONDS } from './tokens.ts';
export {
	requestKioskScreen,
	answerScreenRequest,
	reportShare,
	reportBlinder,
	parseBlinderRegions,
	getPrivacyPolicy,
	setPrivacyPolicy,
	applyConciergeShareGrant,
	SHARE_REFUSAL_COOLDOWN_SECONDS
} from './sharing.ts';
export { callMediaKey } from './tokens.ts';
export { endCallsOfAccount, leaveOnSignOut, removeFromCallRoom, sweepCalls, MISSED_RINGS_LIMIT } from './forced-end.ts';
export { handleLiveKitEvent, handleWebhook, WEBHOOK_MAX_AGE_SECONDS, type WebhookInput } from './webhook-guard.ts';
export { callConciergePhoto } from './photo.ts';
