import { describe, expect, it } from 'vitest';

import { parseTicket, parseTicketPage } from '../src/servicebay/parse.js';
import { emptyPayloadIssueCounts } from '../src/servicebay/types.js';
import type { ParsedTicket, PayloadIssueCounts } from '../src/servicebay/types.js';

function fullPayload(): Record<string, unknown> {
  return {
    id: 'AbCdEfGhIjKlMnOpQrSt',
    ticketId: 1042,
    status: 'In Progress',
    timestamp: '2024-03-01T09:30:00Z',
    ticketClosedTimestamp: null,
    customerId: 'cust_1',
    customerName: 'Ada Lovelace',
    customerEmail: 'ada@example.com',
    customerPhone: '+44 20 7946 0000',
    customerDeviceName: 'Laptop',
    customerDeviceType: 'computer',
    deviceId: 'dev_9',
    assignedTechnician: 'tech_3',
    serviceRequired: 'Screen repair',
    serviceNotes: 'Cracked in the corner',
    serviceTime: '2024-03-02T10:00:00Z',
    endTime: '2024-03-02T11:00:00Z',
    serviceAddress: '1 Main St',
    serviceLocation: 'instore',
    warrantyRepair: false,
    alternativeCustomerAddress: true,
    additionalItems: [{ name: 'charger', qty: 1 }],
    messageRooms: { main: { unread: 2 } },
  };
}

function parseOne(payload: unknown): { ticket: ParsedTicket | null; counts: PayloadIssueCounts } {
  const counts = emptyPayloadIssueCounts();
  const ticket = parseTicket(payload, counts);
  return { ticket, counts };
}

function parseField(field: string, value: unknown): { ticket: ParsedTicket; counts: PayloadIssueCounts } {
  const { ticket, counts } = parseOne({ id: 'id1', [field]: value });
  if (ticket === null) {
    throw new Error(`ticket with ${field}=${JSON.stringify(value)} was skipped`);
  }
  return { ticket, counts };
}

describe('parseTicket mapping', () => {
  it('maps every documented field', () => {
    const payload = fullPayload();

    const { ticket, counts } = parseOne(payload);

    expect(ticket).toEqual({
      id: 'AbCdEfGhIjKlMnOpQrSt',
      ticketNumber: 1042,
      status: 'In Progress',
      createdAt: '2024-03-01T09:30:00.000Z',
      closedAt: null,
      customerId: 'cust_1',
      customerName: 'Ada Lovelace',
      customerEmail: 'ada@example.com',
      customerPhone: '+44 20 7946 0000',
      customerDeviceName: 'Laptop',
      customerDeviceType: 'computer',
      deviceId: 'dev_9',
      assignedTechnician: 'tech_3',
      serviceRequired: 'Screen repair',
      serviceNotes: 'Cracked in the corner',
      serviceTime: '2024-03-02T10:00:00.000Z',
      endTime: '2024-03-02T11:00:00.000Z',
      serviceAddress: '1 Main St',
      serviceLocation: 'instore',
      warrantyRepair: false,
      alternativeCustomerAddress: true,
      additionalItems: [{ name: 'charger', qty: 1 }],
      messageRooms: { main: { unread: 2 } },
      raw: payload,
    });
    expect(counts).toEqual(emptyPayloadIssueCounts());
  });

  it('keeps a clean payload uncopied', () => {
    const payload = fullPayload();

    const { ticket } = parseOne(payload);

    expect(ticket?.raw).toBe(payload);
    expect(ticket?.additionalItems).toBe(payload.additionalItems);
    expect(ticket?.messageRooms).toBe(payload.messageRooms);
  });

  it('sets missing fields to null', () => {
    const { ticket, counts } = parseOne({ id: 'only-id' });

    expect(ticket?.ticketNumber).toBeNull();
    expect(ticket?.status).toBeNull();
    expect(ticket?.createdAt).toBeNull();
    expect(ticket?.warrantyRepair).toBeNull();
    expect(ticket?.additionalItems).toBeNull();
    expect(ticket?.messageRooms).toBeNull();
    expect(counts).toEqual(emptyPayloadIssueCounts());
  });

  it('keeps unknown fields in raw', () => {
    const payload = { id: 'id1', priority: 'high', nested: { x: [1, 2] } };

    const { ticket } = parseOne(payload);

    expect(ticket?.raw.priority).toBe('high');
    expect(ticket?.raw.nested).toEqual({ x: [1, 2] });
  });

  it('passes 1 MB notes unchanged', () => {
    const notes = 'x'.repeat(1024 * 1024 - 1) + 'é';

    const { ticket, counts } = parseField('serviceNotes', notes);

    expect(ticket.serviceNotes).toBe(notes);
    expect(ticket.raw.serviceNotes).toBe(notes);
    expect(counts.repairedStrings).toBe(0);
  });

  it('keeps additionalItems of any shape', () => {
    for (const value of ['free text', 42, { a: 1 }, [1, 'two']]) {
      const { ticket, counts } = parseField('additionalItems', value);

      expect(ticket.additionalItems).toEqual(value);
      expect(counts.invalidValues).toBe(0);
    }
  });
});

describe('parseTicket skipping', () => {
  const skipped: Array<{ name: string; payload: unknown }> = [
    { name: 'missing id', payload: { ticketId: 1 } },
    { name: 'number id', payload: { id: 42 } },
    { name: 'empty id', payload: { id: '' } },
    { name: 'null id', payload: { id: null } },
    { name: 'object id', payload: { id: { value: 'x' } } },
    { name: 'null payload', payload: null },
    { name: 'string payload', payload: 'AbCd' },
    { name: 'array payload', payload: [{ id: 'x' }] },
  ];

  for (const { name, payload } of skipped) {
    it(`skips ${name}`, () => {
      const { ticket, counts } = parseOne(payload);

      expect(ticket).toBeNull();
      expect(counts.skipped).toBe(1);
    });
  }

  it('reports skipped positions in a page', () => {
    const page = parseTicketPage([{ id: 'a' }, { id: 7 }, { id: 'b' }, {}, null]);

    expect(page.tickets.map((ticket) => ticket.id)).toEqual(['a', 'b']);
    expect(page.skippedPositions).toEqual([1, 3, 4]);
    expect(page.counts.skipped).toBe(3);
  });

  it('sums counts over a page', () => {
    const page = parseTicketPage([
      { id: 'a', ticketId: '1', timestamp: 'soon' },
      { id: 'b', ticketId: '2', status: ['x'] },
    ]);

    expect(page.counts.coercedValues).toBe(2);
    expect(page.counts.unparseableDates).toBe(1);
    expect(page.counts.invalidValues).toBe(1);
  });
});

describe('parseTicket coercion', () => {
  const coerced: Array<{ field: string; value: unknown; column: keyof ParsedTicket; expected: unknown }> = [
    { field: 'ticketId', value: '42', column: 'ticketNumber', expected: 42 },
    { field: 'ticketId', value: ' -7 ', column: 'ticketNumber', expected: -7 },
    { field: 'ticketId', value: '9007199254740991', column: 'ticketNumber', expected: 9007199254740991 },
    { field: 'warrantyRepair', value: 'true', column: 'warrantyRepair', expected: true },
    { field: 'warrantyRepair', value: 'FALSE', column: 'warrantyRepair', expected: false },
    { field: 'warrantyRepair', value: 'True', column: 'warrantyRepair', expected: true },
    { field: 'alternativeCustomerAddress', value: 1, column: 'alternativeCustomerAddress', expected: true },
    { field: 'alternativeCustomerAddress', value: 0, column: 'alternativeCustomerAddress', expected: false },
    { field: 'customerPhone', value: 4420794600, column: 'customerPhone', expected: '4420794600' },
    { field: 'status', value: 3, column: 'status', expected: '3' },
    { field: 'customerId', value: 12.5, column: 'customerId', expected: '12.5' },
  ];

  for (const { field, value, column, expected } of coerced) {
    it(`coerces ${field} ${JSON.stringify(value)}`, () => {
      const { ticket, counts } = parseField(field, value);

      expect(ticket[column]).toEqual(expected);
      expect(counts.coercedValues).toBe(1);
      expect(counts.invalidValues).toBe(0);
      expect(ticket.raw[field]).toEqual(value);
    });
  }

  const invalid: Array<{ field: string; value: unknown; column: keyof ParsedTicket }> = [
    { field: 'ticketId', value: 42.5, column: 'ticketNumber' },
    { field: 'ticketId', value: '42.5', column: 'ticketNumber' },
    { field: 'ticketId', value: '42abc', column: 'ticketNumber' },
    { field: 'ticketId', value: '9007199254740993', column: 'ticketNumber' },
    { field: 'ticketId', value: 1e20, column: 'ticketNumber' },
    { field: 'ticketId', value: true, column: 'ticketNumber' },
    { field: 'ticketId', value: '', column: 'ticketNumber' },
    { field: 'warrantyRepair', value: 'yes', column: 'warrantyRepair' },
    { field: 'warrantyRepair', value: 2, column: 'warrantyRepair' },
    { field: 'warrantyRepair', value: {}, column: 'warrantyRepair' },
    { field: 'status', value: { label: 'Open' }, column: 'status' },
    { field: 'status', value: ['Open'], column: 'status' },
    { field: 'status', value: true, column: 'status' },
    { field: 'serviceNotes', value: { text: 'hi' }, column: 'serviceNotes' },
  ];

  for (const { field, value, column } of invalid) {
    it(`rejects ${field} ${JSON.stringify(value)}`, () => {
      const { ticket, counts } = parseField(field, value);

      expect(ticket[column]).toBeNull();
      expect(counts.invalidValues).toBe(1);
      expect(counts.coercedValues).toBe(0);
      expect(ticket.raw[field]).toEqual(value);
    });
  }

  it('accepts a numeric ticketId as is', () => {
    const { ticket, counts } = parseField('ticketId', 7);

    expect(ticket.ticketNumber).toBe(7);
    expect(counts.coercedValues).toBe(0);
  });

  it('keeps an empty string field', () => {
    const { ticket, counts } = parseField('customerEmail', '');

    expect(ticket.customerEmail).toBe('');
    expect(counts).toEqual(emptyPayloadIssueCounts());
  });
});

describe('parseTicket dates', () => {
  it('reads every date-time field', () => {
    const { ticket } = parseOne({
      id: 'd1',
      timestamp: { _seconds: 1709285400, _nanoseconds: 0 },
      ticketClosedTimestamp: 1709371800000,
      serviceTime: '2024-03-02 10:00:00',
      endTime: { seconds: '1709377200', nanos: 0 },
    });

    expect(ticket?.createdAt).toBe('2024-03-01T09:30:00.000Z');
    expect(ticket?.closedAt).toBe('2024-03-02T09:30:00.000Z');
    expect(ticket?.serviceTime).toBe('2024-03-02T10:00:00.000Z');
    expect(ticket?.endTime).toBe('2024-03-02T11:00:00.000Z');
  });

  it('counts an unparseable date', () => {
    const { ticket, counts } = parseField('timestamp', 'last week');

    expect(ticket.createdAt).toBeNull();
    expect(ticket.raw.timestamp).toBe('last week');
    expect(counts.unparseableDates).toBe(1);
  });

  it('does not count a null date', () => {
    const { ticket, counts } = parseField('ticketClosedTimestamp', null);

    expect(ticket.closedAt).toBeNull();
    expect(counts.unparseableDates).toBe(0);
  });
});

describe('parseTicket repairs', () => {
  it('repairs NUL in a typed field', () => {
    const { ticket, counts } = parseField('customerName', 'Ada\u0000Lovelace');

    expect(ticket.customerName).toBe('Ada\uFFFDLovelace');
    expect(ticket.raw.customerName).toBe('Ada\uFFFDLovelace');
    expect(counts.repairedStrings).toBe(1);
  });

  it('repairs a lone surrogate', () => {
    const { ticket, counts } = parseField('serviceNotes', 'broken \uD83D emoji, kept \uD83D\uDE00');

    expect(ticket.serviceNotes).toBe('broken \uFFFD emoji, kept \uD83D\uDE00');
    expect(counts.repairedStrings).toBe(1);
  });

  it('repairs nested keys and values', () => {
    const payload = {
      id: 'n1',
      messageRooms: { 'room\u0000a': { messages: ['ok', 'bad \uDC00', { 'k\uD800': 'v\u0000' }] } },
    };
    const original = structuredClone(payload);

    const { ticket, counts } = parseOne(payload);

    expect(ticket?.messageRooms).toEqual({
      'room\uFFFDa': { messages: ['ok', 'bad \uFFFD', { 'k\uFFFD': 'v\uFFFD' }] },
    });
    expect(ticket?.raw.messageRooms).toBe(ticket?.messageRooms);
    expect(counts.repairedStrings).toBe(4);
    expect(payload).toEqual(original);
  });

  it('repairs the id', () => {
    const { ticket, counts } = parseOne({ id: 'id\u0000x' });

    expect(ticket?.id).toBe('id\uFFFDx');
    expect(counts.repairedStrings).toBe(1);
  });

  it('repairs unknown fields in raw', () => {
    const { ticket, counts } = parseOne({ id: 'u1', 'extra\u0000': '\uDFFF' });

    expect(ticket?.raw).toEqual({ id: 'u1', 'extra\uFFFD': '\uFFFD' });
    expect(counts.repairedStrings).toBe(2);
  });
});
