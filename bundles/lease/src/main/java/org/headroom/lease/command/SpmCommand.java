package org.headroom.lease.command;

import java.time.Instant;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.headroom.api.spm.SpmElectionService;
import org.headroom.api.spm.SpmStatus;

@Command(scope = "headroom", name = "spm",
        description = "Who holds the SPM role (the SDM lease of the master domain), since when; --hand-over gives it up")
@Service
public class SpmCommand implements Action {

    @Reference(optional = true)
    SpmElectionService election;

    @Option(name = "--hand-over", description = "If this host is the SPM: stop serving, release the SDM lease, "
            + "and leave the role to another candidate")
    boolean handOver;

    @Override
    public Object execute() {
        if (election == null) {
            System.out.println("This host does not contend for the SPM role: set spm_candidate = true in "
                    + "etc/org.headroom.lease.cfg (the lease service must run). " + NotRunning.LEASES);
            return null;
        }
        if (handOver) {
            System.out.println(election.handOver() ? "Handed over: the SPM side stopped and the SDM lease is released."
                    : "This host is not the SPM: nothing to hand over.");
        }
        SpmStatus s = election.status();
        System.out.println("Domain " + s.domain() + ": "
                + (s.held() ? "this host is the SPM since " + Instant.ofEpochMilli(s.sinceMillis())
                : s.spmHostId() > 0 ? "the SPM is host " + s.spmHostId() + " (" + s.spmHostState().toLowerCase() + ")"
                : "no SPM") + "; this host is a candidate"
                + (s.held() ? "" : ", " + s.attempts() + " attempt(s)" + (s.problem().isEmpty() ? "" : ": " + s.problem())));
        return null;
    }
}
