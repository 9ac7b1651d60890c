/**
 * Golden bytes for the ACL admin APIs (KIP-140): CreateAcls, DescribeAcls and DeleteAcls, assembled field
 * by field from Kafka's message schemas (CreateAclsRequest.json, DescribeAclsResponse.json, ...), not from
 * our encoders. v0 has no pattern type (LITERAL implied); v1 adds it; v2+ is flexible (compact strings,
 * nullable compact strings with 00 for null, a tag count per struct).
 */
import test from 'ava';
import { check, compact, golden, str16 } from './golden-hex.ts';
import * as api from '../../src/protocol/apis/index.ts';



const binding: api.AclBinding = { resourceType: 2, resourceName: 't', patternType: 4, principal: 'User:a', host: '*', operation: 3, permissionType: 3 };

test('CreateAcls v1 request (CreateAclsRequest.json)', (t) => {
  const bytes = golden(`
    00000001                | creations: 1
      02                    |   resource_type: TOPIC
      ${str16('t')}         |   resource_name
      04                    |   resource_pattern_type: PREFIXED (v1+)
      ${str16('User:a')}    |   principal
      ${str16('*')}         |   host
      03                    |   operation: READ
      03                    |   permission_type: ALLOW`);
  check<api.CreateAclsRequest>(t, bytes, { creations: [binding] }, (w, v) => api.encodeCreateAclsRequest(w, 1, v), (r) => api.decodeCreateAclsRequest(r, 1));
});

test('CreateAcls v2 request (flexible 2+) and v0 (no pattern type: LITERAL)', (t) => {
  const v2 = golden(`
    02                      | creations: 1 (compact)
      02 ${compact('t')} 04 ${compact('User:a')} ${compact('*')} 03 03
      00                    |   tags
    00                      | tags`);
  check<api.CreateAclsRequest>(t, v2, { creations: [binding] }, (w, v) => api.encodeCreateAclsRequest(w, 2, v), (r) => api.decodeCreateAclsRequest(r, 2));
  const v0 = golden(`00000001 02 ${str16('t')} ${str16('User:a')} ${str16('*')} 03 03`);
  check<api.CreateAclsRequest>(t, v0, { creations: [{ ...binding, patternType: 3 }] }, (w, v) => api.encodeCreateAclsRequest(w, 0, v), (r) => api.decodeCreateAclsRequest(r, 0));
});

test('CreateAcls v2 response (CreateAclsResponse.json)', (t) => {
  const bytes = golden(`
    00000000                | throttle_time_ms
    03                      | results: 2
      0000 00 00            |   error_code 0, error_message null, tags
      002a ${compact('bad')} 00 | error_code 42 INVALID_REQUEST, message, tags
    00                      | tags`);
  check<api.CreateAclsResponse>(t, bytes, { throttleTimeMs: 0, results: [{ errorCode: 0, errorMessage: null }, { errorCode: 42, errorMessage: 'bad' }] },
    (w, v) => api.encodeCreateAclsResponse(w, 2, v), (r) => api.decodeCreateAclsResponse(r, 2));
});

test('DescribeAcls v1 request with null filters (DescribeAclsRequest.json)', (t) => {
  const bytes = golden(`
    01                      | resource_type_filter: ANY
    ffff                    | resource_name_filter: null
    02                      | pattern_type_filter: MATCH
    ${str16('User:a')}      | principal_filter
    ffff                    | host_filter: null
    01                      | operation: ANY
    01                      | permission_type: ANY`);
  check<api.DescribeAclsRequest>(t, bytes, { resourceType: 1, resourceName: null, patternType: 2, principal: 'User:a', host: null, operation: 1, permissionType: 1 },
    (w, v) => api.encodeDescribeAclsRequest(w, 1, v), (r) => api.decodeDescribeAclsRequest(r, 1));
});

test('DescribeAcls v2 response (DescribeAclsResponse.json, flexible 2+)', (t) => {
  const bytes = golden(`
    00000000                | throttle_time_ms
    0000                    | error_code
    00                      | error_message: null
    02                      | resources: 1
      02 ${compact('t')} 04 |   resource_type, resource_name, pattern_type
      02                    |   acls: 1
        ${compact('User:a')} ${compact('*')} 03 03 00 | principal, host, operation, permission, tags
      00                    |   tags
    00                      | tags`);
  check<api.DescribeAclsResponse>(t, bytes, {
    throttleTimeMs: 0, errorCode: 0, errorMessage: null,
    resources: [{ resourceType: 2, resourceName: 't', patternType: 4, acls: [{ principal: 'User:a', host: '*', operation: 3, permissionType: 3 }] }],
  }, (w, v) => api.encodeDescribeAclsResponse(w, 2, v), (r) => api.decodeDescribeAclsResponse(r, 2));
});

test('DeleteAcls v1 request and response (DeleteAclsRequest.json, DeleteAclsResponse.json)', (t) => {
  const req = golden(`
    00000001                | filters: 1
      02 ${str16('t')} 01 ffff ffff 01 01 | TOPIC, name t, pattern ANY, principal null, host null, op ANY, perm ANY`);
  check<api.DeleteAclsRequest>(t, req, { filters: [{ resourceType: 2, resourceName: 't', patternType: 1, principal: null, host: null, operation: 1, permissionType: 1 }] },
    (w, v) => api.encodeDeleteAclsRequest(w, 1, v), (r) => api.decodeDeleteAclsRequest(r, 1));
  const res = golden(`
    00000000                | throttle_time_ms
    00000001                | filter_results: 1
      0000 ffff             |   error_code, error_message null
      00000001              |   matching_acls: 1
        0000 ffff           |     error_code, error_message null
        02 ${str16('t')} 04 ${str16('User:a')} ${str16('*')} 03 03`);
  check<api.DeleteAclsResponse>(t, res, { throttleTimeMs: 0, filterResults: [{ errorCode: 0, errorMessage: null, matchingAcls: [{ errorCode: 0, errorMessage: null, ...binding }] }] },
    (w, v) => api.encodeDeleteAclsResponse(w, 1, v), (r) => api.decodeDeleteAclsResponse(r, 1));
});
