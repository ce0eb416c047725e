// Every rule, in the order they are listed and run.
import type { Rule } from '../src/rule';
import preferUnlocked from './prefer-unlocked';
import preferLocked from './prefer-locked';
import missingMmapLock from './missing-mmap-lock';
import lockHeldForSelfLocking from './lock-held-for-self-locking';
import lockedOutIgnored from './locked-out-ignored';
import unbalancedMmapLock from './unbalanced-mmap-lock';
import writeLockForGup from './write-lock-for-gup';
import vmasWithLocked from './vmas-with-locked';
import pinPutMismatch from './pin-put-mismatch';
import partialPinUnchecked from './partial-pin-unchecked';
import longtermWithoutPin from './longterm-without-pin';
import getPagesForDma from './get-pages-for-dma';
import internalFollFlag from './internal-foll-flag';
import gupInAtomic from './gup-in-atomic';
import legacyMmapSem from './legacy-mmap-sem';

export const rules: Rule[] = [
  preferUnlocked, preferLocked, missingMmapLock, lockHeldForSelfLocking, lockedOutIgnored,
  unbalancedMmapLock, writeLockForGup, vmasWithLocked,
  pinPutMismatch, partialPinUnchecked, longtermWithoutPin, getPagesForDma, internalFollFlag, gupInAtomic, legacyMmapSem,
];
