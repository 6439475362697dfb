import { describe, expect, it } from 'vitest';
import { claimedClientId } from '../src/client-auth/claimed-client-id.js';
import { form, rawBasic } from './helpers.js';

describe('claimedClientId: the client id decoded as client authentication decodes it (RFC 6749 §2.3.1)', () => {
  it.each([
    ['Basic user name', form('grant_type=client_credentials', { authorization: rawBasic('cl_X:s') }), 'cl_X'],
    ['Basic user name, percent-encoded', form('grant_type=client_credentials', { authorization: rawBasic('%63l_X:s') }), 'cl_X'],
    ['Basic user name, + is a space', form('', { authorization: rawBasic('a+b:s') }), 'a b'],
    ['client_id field', form('client_id=cl_X'), 'cl_X'],
    ['client_id field, percent-encoded value', form('client_id=%63l_X&client_secret=s'), 'cl_X'],
    ['client_id field, percent-encoded name', form('client%5Fid=cl_X'), 'cl_X'],
    ['Basic wins over the field (a mismatch is refused later anyway)', form('client_id=other', { authorization: rawBasic('cl_X:s') }), 'cl_X'],
    ['malformed Basic', form('client_id=cl_X', { authorization: 'Basic %%%' }), null],
    ['malformed body', form('client_id=%E0%A4%A'), null],
    ['no client named', form('grant_type=client_credentials'), null],
  ])('%s', (_name, request, expected) => {
    expect(claimedClientId(request)).toBe(expected);
  });
});
