// Copyright 2020 Google LLC
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     https://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

// Vendored extract: only TEST_BUNDLE_ID, TEST_BUNDLE_VERSION, verifyMetadata from dev/test/bundle.ts, verbatim; imports written for them.

import {expect} from 'chai';
import type {firestore, google} from '@google-cloud/firestore/build/protos/firestore_v1_proto_api';

type IBundleMetadata = firestore.IBundleMetadata;
type ITimestamp = google.protobuf.ITimestamp;

export const TEST_BUNDLE_ID = 'test-bundle';

const TEST_BUNDLE_VERSION = 1;

export function verifyMetadata(
  meta: IBundleMetadata,
  createTime: ITimestamp,
  totalDocuments: number,
  expectEmptyContent = false,
): void {
  if (!expectEmptyContent) {
    expect(parseInt(meta.totalBytes!.toString())).greaterThan(0);
  } else {
    expect(parseInt(meta.totalBytes!.toString())).to.equal(0);
  }
  expect(meta.id).to.equal(TEST_BUNDLE_ID);
  expect(meta.version).to.equal(TEST_BUNDLE_VERSION);
  expect(meta.totalDocuments).to.equal(totalDocuments);
  expect(meta.createTime).to.deep.equal(createTime);
}
