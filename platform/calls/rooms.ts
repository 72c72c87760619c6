/**
 * The LiveKit rooms of calls: create one at accept, close it after the call,
 * remove a participant, change what a participant may publish. A room or
 * participant that is already gone is, for a removal, the outcome we wanted.
 */
import { randomBytes } from 'node:crypto';
import { ServerError } from 'livekit-server-sdk';
import { roomService, TrackSource } from '../livekit.server.ts';
import { logError } from './common.ts';

/** An answered call's room closes this long after it empties. */
const ROOM_EMPTY_TIMEOUT_SECONDS = 30;
const ROOM_DEPARTURE_TIMEOUT_SECONDS = 20;

export const newRoomName = () => `call_${randomBytes(24).toString('base64url')}`;

/** LiveKit's answer when the participant or room does not exist (by the SDK error's status and code). */
export function isGone(e: unknown): boolean {
	return e instanceof ServerError && (e.status === 404 || e.code === 'not_found');
}

export async function createCallRoom(roomName: string, meta: { tenantId: string; callId: string }): Promise<void> {
	await roomService().createRoom({
		name: roomName,
		emptyTimeout: ROOM_EMPTY_TIMEOUT_SECONDS,
		departureTimeout: ROOM_DEPARTURE_TIMEOUT_SECONDS,
		maxParticipants: 2,
		metadata: JSON.stringify(meta)
	});
}

/** Delete the room after a call ends; a room that is already gone is fine, and a failure is only logged. */
export async function closeRoom(roomName: string): Promise<void> {
	try {
		await roomService().deleteRoom(roomName);
	} catch (e) {
		if (!isGone(e)) logError('deleteRoom failed', e, { room: roomName });
	}
}

/** Remove a participant; one already gone is fine, anything else (LiveKit unreachable) throws. */
export async function removeParticipant(roomName: string, identity: string): Promise<void> {
	try {
		await roomService().removeParticipant(roomName, identity);
	} catch (e) {
		if (!isGone(e)) throw e;
	}
}

/** Remove the participant and close the room; throws while LiveKit cannot be reached. */
export async function removeFromRoom(roomName: string, identity: string): Promise<void> {
	await removeParticipant(roomName, identity);
	try {
		await roomService().deleteRoom(roomName);
	} catch (e) {
		if (!isGone(e)) throw e;
	}
}

export const SHARE_CONSENTED = [TrackSource.CAMERA, TrackSource.MICROPHONE, TrackSource.SCREEN_SHARE];
export const SHARE_WITHHELD = [TrackSource.CAMERA, TrackSource.MICROPHONE];

/** Change what a joined participant may publish (LiveKit enforces it from then on). */
export async function updateGrant(roomName: string, identity: string, sources: TrackSource[]): Promise<void> {
	await roomService().updateParticipant(roomName, identity, {
		permission: { canSubscribe: true, canPublish: true, canPublishData: true, canPublishSources: sources }
	});
}
