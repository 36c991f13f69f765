import assert from 'node:assert/strict';
import { test } from 'node:test';
import { combinedGlob, manifestGlobs, manifestSelector } from '../src/selector';

test('the defaults alone without a setting', () => {
  assert.deepEqual(manifestGlobs(undefined), ['**/*.site.yaml', '**/*.site.yml']);
  assert.deepEqual(manifestGlobs([]), ['**/*.site.yaml', '**/*.site.yml']);
});

test('extra globs: trimmed, bare file patterns searched everywhere, duplicates and junk dropped', () => {
  assert.deepEqual(manifestGlobs([' sites/*.yaml ', 'plant.yaml', '', 42, '**/*.site.yaml', 'a\\b\\*.yml']), [
    '**/*.site.yaml', '**/*.site.yml', 'sites/*.yaml', '**/plant.yaml', 'a/b/*.yml',
  ]);
});

test('every filter keeps the YAML language and the file scheme', () => {
  const selector = manifestSelector(manifestGlobs(['x/*.yaml']));
  assert.deepEqual(selector.map(f => [f.scheme, f.language, f.pattern]), [
    ['file', 'yaml', '**/*.site.yaml'], ['file', 'yaml', '**/*.site.yml'], ['file', 'yaml', 'x/*.yaml'],
  ]);
});

test('one glob for watchers', () => {
  assert.equal(combinedGlob(['**/*.site.yaml', '**/*.site.yml']), '{**/*.site.yaml,**/*.site.yml}');
  assert.equal(combinedGlob(['a/*.yaml']), 'a/*.yaml');
});
