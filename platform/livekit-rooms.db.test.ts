/**
 * LiveKit never creates a room on a join (infra/livekit/livekit.yaml.tmpl:
 * room.auto_create false): a leftover or replayed join token, whose call the
 * platform has ended and whose room is gone, must not bring the room back.
 * Against the test LiveKit, through its /rtc/validate endpoint, which runs the
 * same checks as a join.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';

const test = suite('livekit rooms are created by the platform only');
const httpUrl = () => process.env.LIVEKIT_URL!.replace(/^ws/, 'http');
const key = () => process.env.LIVEKIT_API_KEY!;
const secret = () => process.env.LIVEKIT_API_SECRET!;

async function joinToken(room: string): Promise<string> {
	const at = new AccessToken(key(), secret(), { identity: `p-${randomUUID()}`, ttl: 60 });
	at.addGrant({ room, roomJoin: true, canPublish: true, canSubscribe: true });
	return at.toJwt();
}

const validate = async (token: string) => fetch(`${httpUrl()}/rtc/validate?access_token=${encodeURIComponent(token)}`);

test('a join token for a room that does not exist is refused (404), and no room appears', async () => {
	const room = `attack-${randomUUID()}`;
	const res = await validate(await joinToken(room));
	const text = await res.text();
	assert.is(res.status, 404, text);
	const rooms = await new RoomServiceClient(httpUrl(), key(), secret()).listRooms([room]);
	assert.is(rooms.length, 0);
});

test('once the platform has created the room, the same kind of token is accepted; after deletion it is refused again', async () => {
	const room = `call-${randomUUID()}`;
	const svc = new RoomServiceClient(httpUrl(), key(), secret());
	await svc.createRoom({ name: room, emptyTimeout: 30 });
	const token = await joinToken(room);
	assert.is((await validate(token)).status, 200);
	await svc.deleteRoom(room);
	assert.is((await validate(token)).status, 404);
});

test.run();
