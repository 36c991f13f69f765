import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from '../src/names';
import { ReviewPromptCommand, ServerCommand, type ReviewChangesArgs, type ReviewChangesResult } from '../src/protocol';
import { defaultBase, reviewChanges, reviewDocument, type ReviewDocument, type ReviewFlow } from '../src/reviewFlow';
import { availableInRestrictedMode, restrictedMessage, tellTrust } from '../src/trust';

const reviewed = (base: string): ReviewChangesResult => ({
  base, markdown: `### CertLsp review ${base} → working tree\n`, headline: '1 manifest changed', newRequests: 1, certificateImpact: true,
});

function fakeFlow(answer: string | undefined, result: (args: ReviewChangesArgs) => ReviewChangesResult) {
  const asked: string[] = [];
  const calls: ReviewChangesArgs[] = [];
  const shown: [ReviewDocument, string][] = [];
  const refused: string[] = [];
  const flow: ReviewFlow = {
    askBase: async suggested => {
      asked.push(suggested);
      return answer;
    },
    execute: async args => {
      calls.push(args);
      return result(args);
    },
    show: async (document, markdown) => {
      shown.push([document, markdown]);
    },
    refuse: message => refused.push(message),
  };
  return { flow, asked, calls, shown, refused };
}

const uri = 'file:///site/riverside.site.yaml';

test('asks for the base with HEAD suggested, runs certlsp.reviewChanges and opens the markdown beside the manifest', async () => {
  const { flow, asked, calls, shown, refused } = fakeFlow('origin/main', args => reviewed(args.base!));
  const outcome = await reviewChanges(flow, uri, '/site/riverside.site.yaml');
  assert.equal(outcome.kind, 'shown');
  assert.deepEqual(asked, [defaultBase]);
  assert.deepEqual(calls, [{ uri, base: 'origin/main' }]);
  assert.deepEqual(shown, [[{ path: '/site/riverside.site.yaml.review.md', query: 'base=origin%2Fmain' },
      '### CertLsp review origin/main → working tree\n']]);
  assert.deepEqual(refused, []);
});

test('a blank answer means HEAD; a dismissed box runs nothing', async () => {
  const blank = fakeFlow('   ', args => reviewed(args.base!));
  await reviewChanges(blank.flow, uri, '/site/riverside.site.yaml');
  assert.deepEqual(blank.calls, [{ uri, base: 'HEAD' }]);
  const dismissed = fakeFlow(undefined, () => assert.fail('no call when dismissed'));
  assert.deepEqual(await reviewChanges(dismissed.flow, uri, '/site/riverside.site.yaml'), { kind: 'dismissed' });
  assert.deepEqual(dismissed.calls, []);
});

test('a rename lens gives the base: no question asked', async () => {
  const { flow, asked, calls } = fakeFlow('never', args => reviewed(args.base!));
  await reviewChanges(flow, uri, '/site/riverside.site.yaml', 'HEAD');
  assert.deepEqual(asked, []);
  assert.deepEqual(calls, [{ uri, base: 'HEAD' }]);
});

test('the server\'s refusal is said and nothing is opened', async () => {
  const { flow, shown, refused } = fakeFlow('no-such-branch', args =>
      ({ ...reviewed(args.base!), markdown: '', refusal: 'the revision “no-such-branch” is not in this clone' }));
  const outcome = await reviewChanges(flow, uri, '/site/riverside.site.yaml');
  assert.deepEqual(outcome, { kind: 'refused', refusal: 'the revision “no-such-branch” is not in this clone' });
  assert.deepEqual(shown, []);
  assert.deepEqual(refused, ['CertLsp: no review against no-such-branch: the revision “no-such-branch” is not in this clone']);
});

test('one review document per manifest and base', () => {
  assert.notDeepEqual(reviewDocument('/a.site.yaml', 'HEAD'), reviewDocument('/a.site.yaml', 'HEAD~1'));
  assert.deepEqual(reviewDocument('/a.site.yaml', 'HEAD~1'), { path: '/a.site.yaml.review.md', query: 'base=HEAD~1' });
});

test('the review runs git: it waits for trust, and the lens command is the palette command', () => {
  assert.equal(Command.review, ReviewPromptCommand);
  assert.equal(availableInRestrictedMode(Command.review), false);
  assert.equal(availableInRestrictedMode(ServerCommand.reviewChanges), false);
  assert.match(restrictedMessage(Command.review), /Review Changes is not available in Restricted Mode/);
});

test('a server started untrusted is told once when the folder becomes trusted', () => {
  const untrusted = { trusted: false, settings: '[]' };
  assert.equal(tellTrust(untrusted, true, false), true);
  assert.equal(tellTrust(untrusted, true, true), false, 'told already');
  assert.equal(tellTrust(untrusted, false, false), false, 'still untrusted');
  assert.equal(tellTrust({ trusted: true, settings: '[]' }, true, false), false, 'it heard at initialize');
  assert.equal(tellTrust(undefined, true, false), false, 'no server');
});
