package org.ndkkit.cli.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ndkkit.cli.eval.Certification;
import org.ndkkit.cli.eval.Profile;
import org.ndkkit.cli.eval.Regression;
import org.ndkkit.cli.model.Finding;
import org.ndkkit.cli.model.ScenarioResult;
import org.ndkkit.cli.spec.Spec;
import org.ndkkit.cli.waiver.WaiverEngine;

/** Everything one run produced, as the reports and the bundle render it. */
public final class RunRecord {
    public String runId;
    public String kitVersion;
    public String cliVersion;
    public Instant started;
    public Instant finished;
    public Profile profile;
    public String tags;
    /** {@code --scenarios}: the case list's path and how many ids it named, or null. */
    public String scenarioList;
    public boolean selectionComplete;
    public int selectedCount;
    public List<String> command = new ArrayList<>();
    public Map<String, Object> settings = new LinkedHashMap<>();
    /** in-progress while the suite runs, complete, or stopped (hang, crash, time limit, interrupt, environment). */
    public String state = "in-progress";
    public String stateDetail;
    public boolean lab;

    public String providerName;
    public String providerVersion;
    public String providerVendor;
    public String providerDescription;
    public List<String> capabilities = new ArrayList<>();
    public Map<String, String> providerSettings = new LinkedHashMap<>();
    public JsonNode adapterInfo;
    /** What the testbed says is under test ({@code Testbed.identity()}, from preflight.json), by key; empty when it says nothing. */
    public Map<String, String> identity = new java.util.TreeMap<>();
    public String providerClass;
    public String providerCodeSource;
    /** The provider's jars and folders (--provider-path), by content. */
    public List<Artifacts.Artifact> providerArtifacts = new ArrayList<>();
    /** The kit's own class path (the CLI's jar and its lib/), by content. */
    public List<Artifacts.Artifact> kitArtifacts = new ArrayList<>();

    public Spec spec;
    public String knownDefectsName;
    public String knownDefectsSha256;
    /** Vendor waiver files: path as given to SHA-256. */
    public Map<String, String> waiverFiles = new LinkedHashMap<>();
    /** Vendor waiver files: path as given to its entry in the bundle (unique even when two files share a name). */
    public Map<String, String> waiverEntries = new LinkedHashMap<>();

    public JsonNode preflight;
    public List<Map<String, String>> hostChecks = new ArrayList<>();
    public boolean preflightOk = true;
    public JsonNode environment;
    public JsonNode hostEnvironment;

    public List<ScenarioResult> results = new ArrayList<>();
    public WaiverEngine.Outcome waivers;
    /** The day (UTC) the waivers were judged against: the day the run finished. */
    public java.time.LocalDate judgedOn;
    public List<Finding> findings = new ArrayList<>();
    public boolean probesRan;
    public Certification.Result certification;
    public Regression.Result regression;
    /** Kill matrices of the seeded defects given with --kill-matrix, as read. */
    public List<JsonNode> killMatrices = new ArrayList<>();

    public String status;
    public int exitCode;
    public String exitReason;
    public Map<String, String> outputs = new LinkedHashMap<>();
    public Path outDir;

    public void hostCheck(String name, String status, String detail) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("status", status);
        m.put("detail", detail);
        hostChecks.add(m);
        if (status.equals("error")) {
            preflightOk = false;
        }
    }
}
