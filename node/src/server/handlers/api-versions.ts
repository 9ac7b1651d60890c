/** ApiVersions: our real ranges, from the one SUPPORTED table. */
import { advertisedVersions } from '../../protocol/api-keys.ts';
import { decodeApiVersionsRequest, encodeApiVersionsResponse, type ApiVersionsRequest, type ApiVersionsResponse } from '../../protocol/apis/api-versions.ts';
import type { ApiHandler } from '../router.ts';

/** Answers ApiVersions (unknown versions are answered by the router in the v0 layout). */
export function apiVersionsHandler(): ApiHandler<ApiVersionsRequest, ApiVersionsResponse> {
  return {
    decode: decodeApiVersionsRequest,
    encode: encodeApiVersionsResponse,
    async handle() {
      return { errorCode: 0, apiKeys: advertisedVersions(), throttleTimeMs: 0 };
    },
  };
}
