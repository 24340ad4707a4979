/** convkit's version, as written into the files it saves and printed by `convkit --version`. */
export const CONVKIT_VERSION = '0.1.0';
