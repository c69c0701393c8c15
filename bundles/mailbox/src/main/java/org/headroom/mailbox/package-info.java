/** The SPM storage mailbox, VDSM-compatible on disk: host side, SPM side, and the pure codec. */
package org.headroom.mailbox;
