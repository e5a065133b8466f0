// Copyright 2018 Google LLC
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//      http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

// Vendored extract: only verifyInstance, Post, postConverter, postConverterMerge, bundleToElementArray, isPreferRest, isEnterprise from dev/test/util/helpers.ts, verbatim; imports written for them.

import {DocumentData, SetOptions, PartialWithFieldValue} from '@google-cloud/firestore';
import {expect} from 'chai';
import {JSONStreamIterator} from 'length-prefixed-json-stream';
import {PassThrough} from 'stream';
import type {firestore} from '@google-cloud/firestore/build/protos/firestore_v1_proto_api';
import {Firestore, QueryDocumentSnapshot} from '@google-cloud/firestore';

/**
 * Verifies that all streams have been properly shutdown at the end of a test
 * run.
 */
export function verifyInstance(firestore: Firestore): Promise<void> {
  // Allow the setTimeout() call in _initializeStream to run before
  // verifying that all operations have finished executing.
  return new Promise<void>((resolve, reject) => {
    if (firestore['_clientPool'].opCount === 0) {
      resolve();
    } else {
      setTimeout(() => {
        const opCount = firestore['_clientPool'].opCount;
        if (opCount === 0) {
          resolve();
        } else {
          reject(
            new Error(
              `Firestore has ${opCount} unfinished operations executing.`,
            ),
          );
        }
      }, 10);
    }
  });
}

/** Sample user object class used in tests. */
export class Post {
  constructor(
    readonly title: string,
    readonly author: string,
  ) {}
  toString(): string {
    return this.title + ', by ' + this.author;
  }
}

/** Converts Post objects to and from Firestore in tests. */
export const postConverter = {
  toFirestore(post: Post): DocumentData {
    return {title: post.title, author: post.author};
  },
  fromFirestore(snapshot: QueryDocumentSnapshot): Post {
    const data = snapshot.data();
    return new Post(data.title, data.author);
  },
};

export const postConverterMerge = {
  toFirestore(
    post: PartialWithFieldValue<Post>,
    options?: SetOptions,
  ): DocumentData {
    if (options) {
      expect(post).to.not.be.an.instanceOf(Post);
    } else {
      expect(post).to.be.an.instanceof(Post);
    }
    const result: DocumentData = {};
    if (post.title) result.title = post.title;
    if (post.author) result.author = post.author;
    return result;
  },
  fromFirestore(snapshot: QueryDocumentSnapshot): Post {
    const data = snapshot.data();
    return new Post(data.title, data.author);
  },
};

export async function bundleToElementArray(
  bundle: Buffer,
): Promise<Array<firestore.IBundleElement>> {
  const result: Array<firestore.IBundleElement> = [];
  const readable = new PassThrough();
  readable.end(bundle);
  const streamIterator = new JSONStreamIterator(readable);
  for await (const value of streamIterator) {
    result.push(value as firestore.IBundleElement);
  }
  return result;
}

/**
 * Returns a value indicating whether preferRest is enabled
 * via the environment variable `FIRESTORE_PREFER_REST`.
 *
 * @returns `true` if preferRest is enabled via the environment variable `FIRESTORE_PREFER_REST`.
 */
export function isPreferRest(): boolean {
  return (
    process.env.FIRESTORE_PREFER_REST === '1' ||
    process.env.FIRESTORE_PREFER_REST === 'true'
  );
}

/**
 * Returns a value indicating whether the tests are running against an Enterprise edition DB
 */
export function isEnterprise(): boolean {
  return !!process.env.RUN_ENTERPRISE_TESTS;
}
