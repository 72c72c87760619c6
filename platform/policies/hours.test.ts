import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hoursProblems, isOpen, nextChange, validTimeZone } from './hours.ts';

const week = { '1': ['09:00', '18:00'], '2': ['09:00', '18:00'] } as Record<string, [string, string]>;

test('open inside the hours of the day in the tenant time zone, closed outside, on other days and on holidays', () => {
	const p = { timeZone: 'Asia/Tokyo', businessHours: week, holidays: ['2026-11-24'] };
	assert.ok(isOpen(p, new Date('2026-11-23T00:00:00Z')), 'Monday 09:00 JST');
	assert.not.ok(isOpen(p, new Date('2026-11-22T23:59:00Z')), 'Monday 08:59 JST');
	assert.not.ok(isOpen(p, new Date('2026-11-23T09:00:00Z')), 'Monday 18:00 JST');
	assert.not.ok(isOpen(p, new Date('2026-11-24T03:00:00Z')), 'Tuesday is a holiday');
	assert.not.ok(isOpen(p, new Date('2026-11-25T03:00:00Z')), 'Wednesday has no hours');
	assert.ok(isOpen({ ...p, businessHours: {} }, new Date('2026-11-25T03:00:00Z')), 'no hours: always open');
});

test('hoursProblems and validTimeZone', () => {
	assert.equal(hoursProblems(week), []);
	assert.is(hoursProblems({ '7': ['09:00', '10:00'] }).length, 1);
	assert.is(hoursProblems({ '1': ['9:00', '10:00'] }).length, 1);
	assert.is(hoursProblems({ '1': ['18:00', '09:00'] }).length, 1);
	assert.ok(validTimeZone('Europe/London'));
	assert.not.ok(validTimeZone('Mars/Base'));
});

test("nextChange: the next opening or closing, in the tenant's time zone; holidays skipped; none without hours", () => {
	const p = { timeZone: 'Asia/Tokyo', businessHours: { '1': ['09:00', '18:00'], '2': ['09:30', '17:00'] } as Record<string, [string, string]>, holidays: ['2026-11-24'] };
	// Monday 2026-11-23 08:59:30 JST: opens at 09:00 JST.
	assert.equal(nextChange(p, new Date('2026-11-22T23:59:30Z')), new Date('2026-11-23T00:00:00Z'));
	// Monday 12:00 JST: closes at 18:00 JST.
	assert.equal(nextChange(p, new Date('2026-11-23T03:00:00Z')), new Date('2026-11-23T09:00:00Z'));
	// Monday 18:00 JST: Tuesday is a holiday, so the next opening is Monday 30 November 09:00 JST.
	assert.equal(nextChange(p, new Date('2026-11-23T09:00:00Z')), new Date('2026-11-30T00:00:00Z'));
	assert.is(nextChange({ ...p, businessHours: {} }, new Date()), null, 'always open');
	// Closed longer than the look-ahead: ask again in eight days.
	const closed = { ...p, holidays: Array.from({ length: 20 }, (_, i) => `2026-12-${String(i + 1).padStart(2, '0')}`) };
	const at = new Date('2026-11-30T10:00:00Z');
	assert.equal(nextChange(closed, at), new Date(at.getTime() + 8 * 24 * 3600_000 + 60_000 - (at.getTime() % 60_000)));
	// Summer time: New York opens at 09:00 local on both sides of the change (2026-11-01).
	const ny = { timeZone: 'America/New_York', businessHours: { '0': ['09:00', '10:00'] } as Record<string, [string, string]>, holidays: [] };
	assert.equal(nextChange(ny, new Date('2026-10-31T12:00:00Z')), new Date('2026-11-01T14:00:00Z'));
});

test.run();
