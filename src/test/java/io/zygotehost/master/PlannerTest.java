package io.zygotehost.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.master.Phases.GenerationPhase;
import io.zygotehost.master.Phases.WorkerPhase;
import io.zygotehost.master.Phases.ZygotePhase;
import io.zygotehost.master.PlannerView.AppView;
import io.zygotehost.master.PlannerView.GenerationView;
import io.zygotehost.master.PlannerView.Policy;
import io.zygotehost.master.PlannerView.Role;
import io.zygotehost.master.PlannerView.Wear;
import io.zygotehost.master.PlannerView.WorkerView;
import io.zygotehost.master.PlannerView.ZygoteView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The master's decisions, one scenario each, with a fake clock; the cap invariant is checked after every decision. */
class PlannerTest {

    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private static final Duration BOOT = Duration.ofSeconds(60);
    private static final Duration GRACEFUL = Duration.ofSeconds(30);

    private final Planner planner = new Planner();
    private final List<AppView> decided = new ArrayList<>();
    private final List<List<Action>> results = new ArrayList<>();

    @Test
    void anAppWithoutAZygoteStartsOne() {
        // A new app: the first thing is its zygote, and nothing else.
        List<Action> actions = decide(app(2, generation(GenerationPhase.STARTING, null)));
        assertEquals(List.of(new Action.StartZygote("hello", 1)), actions);
    }

    @Test
    void aZygoteInItsCanaryGetsNoSpawnRequests() {
        // Workers wait for the canary: a version that cannot start never gets one.
        List<Action> actions = decide(app(2, generation(GenerationPhase.STARTING, zygote(ZygotePhase.STARTING))));
        assertEquals(List.of(), actions);
    }

    @Test
    void aReadyZygoteSpawnsOneWorkerPerMissingWorker() {
        // Canary passed, no workers yet: every missing worker is asked for in the same turn.
        List<Action> actions = decide(app(3, ready(worker(1, WorkerPhase.READY))));
        assertEquals(List.of(new Action.SpawnWorker("hello", 1), new Action.SpawnWorker("hello", 1)), actions);
    }

    @Test
    void workersBeingSpawnedCountSoNothingIsAskedTwice() {
        // The next turn sees the spawns it asked for as SPAWNING and asks for no more.
        List<Action> actions = decide(app(2, ready(worker(1, WorkerPhase.SPAWNING), worker(2, WorkerPhase.SPAWNING))));
        assertEquals(List.of(), actions);
    }

    @Test
    void aFailedCanaryLeavesTheGenerationAlone() {
        // A version whose canary failed gets no zygote and no worker until the config changes.
        List<Action> actions = decide(app(2, generation(GenerationPhase.FAILED, null)));
        assertEquals(List.of(), actions);
    }

    @Test
    void aCrashingGenerationSpawnsOneWorkerAtATime() {
        // Workers dying young: one JVM per backoff step, not one per missing worker.
        GenerationView crashing = withCrashes(ready(), 3, NOW.minusSeconds(1));
        assertEquals(List.of(new Action.SpawnWorker("hello", 1)), decide(app(4, crashing)));
        GenerationView oneOnItsWay = withCrashes(ready(worker(5, WorkerPhase.SPAWNING)), 3, NOW.minusSeconds(1));
        assertEquals(List.of(), decide(app(4, oneOnItsWay)));
    }

    @Test
    void nothingIsSpawnedDuringTheBackoff() {
        // A crash loop waits out its backoff: no worker and no zygote before notBefore.
        GenerationView waiting = withCrashes(ready(), 2, NOW.plusSeconds(1));
        assertEquals(List.of(), decide(app(2, waiting)));
        GenerationView zygoteWaiting = withCrashes(generation(GenerationPhase.READY, null), 2, NOW.plusSeconds(1));
        assertEquals(List.of(), decide(app(2, zygoteWaiting)));
    }

    @Test
    void aDeadZygoteIsReplacedAndItsWorkersAreKept() {
        // The zygote died; its workers still serve. A new zygote starts; nobody drains.
        List<Action> actions = decide(app(2, generation(GenerationPhase.READY, null,
                worker(1, WorkerPhase.READY), worker(2, WorkerPhase.READY))));
        assertEquals(List.of(new Action.StartZygote("hello", 1)), actions);
    }

    @Test
    void aWorkerNotReadyAfterTheBootTimeoutIsKilled() {
        // A worker stuck in its start is killed; its slot frees when its exit is seen.
        WorkerView stuck = new WorkerView(1, WorkerPhase.SPAWNING, NOW.minus(BOOT), 0);
        List<Action> actions = decide(app(1, ready(stuck)));
        assertEquals(List.of(new Action.KillWorker("hello", 1, 1, "not ready after 60s", true)), actions);
    }

    @Test
    void aDrainPastGracefulTimeoutIsKilled() {
        // Draining is bounded: past graceful_timeout the worker is killed.
        WorkerView draining = new WorkerView(1, WorkerPhase.DRAINING, NOW.minus(GRACEFUL).minusMillis(1), 0);
        List<Action> actions = decide(app(1, ready(draining, worker(2, WorkerPhase.READY))));
        assertEquals(List.of(new Action.KillWorker("hello", 1, 1, "still draining after graceful_timeout 30s", false)), actions);
    }

    @Test
    void stoppingDrainsReadyWorkersKillsSpawningOnesAndStopsTheZygoteAfterThem() {
        // Shutdown: serving workers finish their requests; one still starting has none to finish. The zygote
        // stays until their exits are known: it is the one that reaps them and tells the master how they ended.
        AppView app = new AppView("hello", 2, 2, BOOT, GRACEFUL, true,
                List.of(ready(worker(1, WorkerPhase.READY), worker(2, WorkerPhase.SPAWNING), worker(3, WorkerPhase.DRAINING))));
        List<Action> actions = decide(app);
        assertEquals(List.of(
                new Action.DrainWorker("hello", 1, 1, "stopping"),
                new Action.KillWorker("hello", 1, 2, "stopping before it was ready", false)), actions);
        AppView workersGone = new AppView("hello", 2, 2, BOOT, GRACEFUL, true, List.of(ready()));
        assertEquals(List.of(new Action.StopZygote("hello", 1)), decide(workersGone));
    }

    @Test
    void aWorkerWhoseExitIsNotKnownYetKeepsARetiringZygote() {
        // Its connection closed (GONE), its exit status not reported yet: the zygote that will report it stays.
        AppView app = new AppView("hello", 2, 2, BOOT, GRACEFUL, true, List.of(ready(worker(1, WorkerPhase.GONE))));
        assertEquals(List.of(), decide(app));
    }

    @Test
    void fewerWorkersWantedDrainsTheNewest() {
        // workers: 3 -> 1: the two newest drain, the oldest (the warmest) stays.
        List<Action> actions = decide(app(1, ready(worker(1, WorkerPhase.READY), worker(2, WorkerPhase.READY),
                worker(3, WorkerPhase.READY))));
        assertEquals(List.of(new Action.DrainWorker("hello", 1, 3, "no longer needed"),
                new Action.DrainWorker("hello", 1, 2, "no longer needed")), actions);
    }

    @Test
    void fewerWorkersWantedPrefersOneNotServingYet() {
        // A worker still starting serves nobody: it goes before a serving one.
        List<Action> actions = decide(app(1, ready(worker(1, WorkerPhase.READY), worker(2, WorkerPhase.SPAWNING))));
        assertEquals(List.of(new Action.KillWorker("hello", 1, 2, "no longer needed", false)), actions);
    }

    @Test
    void aWorkerThatDiedUnaskedKeepsItsSlotUntilItsExitIsKnown() {
        // Its connection closed; the exit status (and so the crash backoff) comes next: replace only then.
        List<Action> actions = decide(app(2, ready(worker(1, WorkerPhase.READY), worker(2, WorkerPhase.GONE))));
        assertEquals(List.of(), actions);
    }

    @Test
    void aCanaryThatDoesNotFinishAbandonsTheGeneration() {
        // A preload that hangs is a version that cannot start.
        GenerationView hanging = new GenerationView(1, Role.CURRENT, GenerationPhase.STARTING,
                Optional.of(new ZygoteView(ZygotePhase.STARTING, NOW.minus(BOOT))), List.of(), Instant.EPOCH, 0);
        List<Action> actions = decide(app(2, hanging));
        assertEquals(List.of(new Action.AbandonGeneration("hello", 1, "the canary did not finish within 60s")), actions);
    }

    @Test
    void anOldGenerationIsRetired() {
        // A generation that is no longer current drains and its zygote stops, while the current one is kept whole.
        GenerationView old = new GenerationView(1, Role.OLD, GenerationPhase.READY,
                Optional.of(new ZygoteView(ZygotePhase.READY, NOW)), List.of(worker(1, WorkerPhase.READY)), Instant.EPOCH, 0);
        GenerationView current = new GenerationView(2, Role.CURRENT, GenerationPhase.READY,
                Optional.of(new ZygoteView(ZygotePhase.READY, NOW)), List.of(worker(2, WorkerPhase.READY)), Instant.EPOCH, 0);
        List<Action> actions = decide(new AppView("hello", 1, 2, BOOT, GRACEFUL, false, List.of(old, current)));
        assertEquals(List.of(new Action.DrainWorker("hello", 1, 1, "stopping")), actions);
        GenerationView oldWithoutWorkers = new GenerationView(1, Role.OLD, GenerationPhase.READY,
                Optional.of(new ZygoteView(ZygotePhase.READY, NOW)), List.of(), Instant.EPOCH, 0);
        assertEquals(List.of(new Action.StopZygote("hello", 1)),
                decide(new AppView("hello", 1, 2, BOOT, GRACEFUL, false, List.of(oldWithoutWorkers, current))));
    }

    @Test
    void anIncomingGenerationInItsCanaryLeavesTheCurrentOneWhole() {
        // A deploy begins: only the new zygote starts; the current workers go on, a lost one is even replaced.
        AppView app = deploying(2, 2, ready(worker(1, WorkerPhase.READY)), incoming(GenerationPhase.STARTING, null));
        assertEquals(List.of(new Action.SpawnWorker("hello", 1), new Action.StartZygote("hello", 2)), decide(app));
        AppView inCanary = deploying(2, 2, ready(worker(1, WorkerPhase.READY), worker(2, WorkerPhase.READY)),
                incoming(GenerationPhase.STARTING, zygote(ZygotePhase.STARTING)));
        assertEquals(List.of(), decide(inCanary));
    }

    @Test
    void withHeadroomNewWorkersStartBeforeAnyOldOneLeaves() {
        // cap 4, 2 busy v1 workers, v2 ready: two v2 workers start, no v1 worker is touched yet.
        AppView app = deploying(2, 4, ready(busy(1, 3), busy(2, 5)), incoming(GenerationPhase.READY, zygote(ZygotePhase.READY)));
        assertEquals(List.of(new Action.SpawnWorker("hello", 2), new Action.SpawnWorker("hello", 2)), decide(app));
    }

    @Test
    void eachReadyNewWorkerRetiresTheIdlestOldOne() {
        // One v2 worker is ready: the v1 worker with the fewest requests in flight drains.
        AppView app = deploying(2, 4, ready(busy(1, 3), busy(2, 0)),
                incoming(GenerationPhase.READY, zygote(ZygotePhase.READY), worker(3, WorkerPhase.READY), worker(4, WorkerPhase.SPAWNING)));
        assertEquals(List.of(new Action.DrainWorker("hello", 1, 2, "replaced by generation 2")), decide(app));
    }

    @Test
    void withoutHeadroomOneIdleOldWorkerMakesRoomAtATime() {
        // cap 2 = workers 2: the idle v1 worker drains first; nothing spawns until it has exited.
        AppView app = deploying(2, 2, ready(busy(1, 4), busy(2, 0)), incoming(GenerationPhase.READY, zygote(ZygotePhase.READY)));
        assertEquals(List.of(new Action.DrainWorker("hello", 1, 2, "making room under max_workers 2 for generation 2")),
                decide(app));
        AppView draining = deploying(2, 2, ready(busy(1, 4), worker(2, WorkerPhase.DRAINING)),
                incoming(GenerationPhase.READY, zygote(ZygotePhase.READY)));
        assertEquals(List.of(), decide(draining));
        AppView gone = deploying(2, 2, ready(busy(1, 4)), incoming(GenerationPhase.READY, zygote(ZygotePhase.READY)));
        assertEquals(List.of(new Action.SpawnWorker("hello", 2)), decide(gone));
    }

    @Test
    void aNewWorkerThatIsDyingStillHoldsItsSlot() {
        // cap 2: one v1 worker serves, the new worker's connection just closed (GONE) or it was killed:
        // draining the last v1 worker "to make room" would leave nobody serving. Nothing is done.
        for (WorkerPhase dying : List.of(WorkerPhase.GONE, WorkerPhase.KILLED, WorkerPhase.SPAWNING)) {
            AppView app = deploying(2, 2, ready(busy(1, 0)),
                    incoming(GenerationPhase.READY, zygote(ZygotePhase.READY), worker(3, dying)));
            assertEquals(List.of(), decide(app), dying.name());
        }
    }

    @Test
    void theLastOldWorkerLeavesWhenTheNewGenerationIsWhole() {
        // Both v2 workers ready: the remaining v1 worker drains, busy or not.
        AppView app = deploying(2, 2, ready(busy(1, 7)),
                incoming(GenerationPhase.READY, zygote(ZygotePhase.READY), worker(3, WorkerPhase.READY), worker(4, WorkerPhase.READY)));
        assertEquals(List.of(new Action.DrainWorker("hello", 1, 1, "replaced by generation 2")), decide(app));
    }

    @Test
    void aFailedIncomingGenerationIsRetiredAndTheCurrentOneToppedUp() {
        // The deploy was abandoned (its generation is OLD now): its worker is stopped, v1 is brought back to 2.
        GenerationView failed = new GenerationView(2, Role.OLD, GenerationPhase.READY, Optional.of(zygote(ZygotePhase.READY)),
                List.of(worker(3, WorkerPhase.SPAWNING)), Instant.EPOCH, 2);
        AppView app = new AppView("hello", 2, 3, BOOT, GRACEFUL, false, List.of(ready(worker(1, WorkerPhase.READY)), failed));
        assertEquals(List.of(
                new Action.KillWorker("hello", 2, 3, "stopping before it was ready", false),
                new Action.SpawnWorker("hello", 1)), decide(app));
    }

    // ---- recycling ----

    @Test
    void aWorkerPastMaxRequestsGetsItsReplacementBeforeItDrains() {
        // Headroom under max_workers: the replacement starts first; the worn-out worker keeps serving meanwhile.
        AppView app = limited(2, 3, LIMITS, ready(worn(1, 50, 50), worker(2, WorkerPhase.READY)));
        assertEquals(List.of(new Action.SpawnWorker("hello", 1)), decide(app));
        AppView starting = limited(2, 3, LIMITS, ready(worn(1, 60, 50), worker(2, WorkerPhase.READY), worker(3, WorkerPhase.SPAWNING)));
        assertEquals(List.of(), decide(starting));
    }

    @Test
    void aWornOutWorkerDrainsOnceItsReplacementIsReady() {
        AppView app = limited(2, 3, LIMITS, ready(worn(1, 70, 50), worker(2, WorkerPhase.READY), worker(3, WorkerPhase.READY)));
        assertEquals(List.of(new Action.DrainWorker("hello", 1, 1,
                "recycled: served 70 requests (max_requests, with jitter: 50)")), decide(app));
    }

    @Test
    void withoutHeadroomAWornOutWorkerMakesRoomForItsReplacement() {
        // max_workers = workers: the only order possible is drain first, then replace once it has exited.
        AppView app = limited(2, 2, LIMITS, ready(worn(1, 50, 50), worker(2, WorkerPhase.READY)));
        assertEquals(List.of(new Action.DrainWorker("hello", 1, 1, "recycled: served 50 requests (max_requests, with jitter: 50);"
                + " no room under max_workers 2 to start its replacement first")), decide(app));
        AppView draining = limited(2, 2, LIMITS, ready(worker(1, WorkerPhase.DRAINING), worker(2, WorkerPhase.READY)));
        assertEquals(List.of(), decide(draining));
    }

    @Test
    void workersThatStartedTogetherAreRecycledOneAtATime() {
        // Four workers past max_age at the same instant: a quarter of them (one) is replaced, the others wait their turn.
        WorkerView[] old = new WorkerView[4];
        for (int i = 0; i < 4; i++) {
            old[i] = aged(i + 1, NOW.minusSeconds(1));
        }
        assertEquals(List.of(new Action.SpawnWorker("hello", 1)), decide(limited(4, 8, LIMITS, ready(old))));
        WorkerView[] oneLeaving = {worker(1, WorkerPhase.DRAINING), old[1], old[2], old[3], worker(5, WorkerPhase.READY)};
        assertEquals(List.of(), decide(limited(4, 8, LIMITS, ready(oneLeaving))));
    }

    @Test
    void aWorkerOverMaxWorkerMemoryDrainsWithoutWaitingForItsReplacement() {
        // It grows while it serves: it stops accepting now; its replacement is spawned in the next turn.
        AppView app = limited(2, 3, LIMITS, ready(sized(1, 130 * MB), sized(2, 70 * MB)));
        assertEquals(List.of(new Action.DrainWorker("hello", 1, 1, "recycled: PSS 130m over max_worker_memory 120m")), decide(app));
        AppView next = limited(2, 3, LIMITS, ready(worker(1, WorkerPhase.DRAINING), sized(2, 70 * MB)));
        assertEquals(List.of(new Action.SpawnWorker("hello", 1)), decide(next));
    }

    @Test
    void aWorkerWhoseHandlerThreadsAreAllStuckIsRecycled() {
        WorkerView stuck = new WorkerView(1, WorkerPhase.READY, NOW, 4, new Wear(10, 0, null, NOW, 4, 0));
        AppView app = limited(2, 3, LIMITS, ready(stuck, worker(2, WorkerPhase.READY)));
        assertEquals(List.of(new Action.DrainWorker("hello", 1, 1,
                "recycled: all 4 handler threads are stuck past request_timeout")), decide(app));
    }

    // ---- spares ----

    @Test
    void theAppKeepsItsSparesBesideItsWorkersOutsideMaxWorkers() {
        // workers 2 = max_workers 2, spares 1: the spare is started although the cap is reached.
        AppView app = limited(2, 2, SPARES, ready(worker(1, WorkerPhase.READY), worker(2, WorkerPhase.READY)));
        assertEquals(List.of(new Action.SpawnWorker("hello", 1, true)), decide(app));
        AppView starting = limited(2, 2, SPARES, ready(worker(1, WorkerPhase.READY), worker(2, WorkerPhase.READY),
                worker(3, WorkerPhase.SPARE_STARTING)));
        assertEquals(List.of(), decide(starting));
    }

    @Test
    void aMissingWorkerIsASpareActivatedAndTheNextSpareFollows() {
        // A worker died: the spare serves in milliseconds; once it is on its way, a new spare starts.
        AppView app = limited(2, 2, SPARES, ready(worker(1, WorkerPhase.READY), worker(3, WorkerPhase.SPARE)));
        assertEquals(List.of(new Action.ActivateWorker("hello", 1, 3)), decide(app));
        AppView activated = limited(2, 2, SPARES, ready(worker(1, WorkerPhase.READY), worker(3, WorkerPhase.READY)));
        assertEquals(List.of(new Action.SpawnWorker("hello", 1, true)), decide(activated));
    }

    @Test
    void aWornOutWorkerIsReplacedByASpare() {
        // max_requests reached, headroom under max_workers: the spare is activated, then the worn-out one drains.
        Policy policy = new Policy(4, 1, 0, 0, -1);
        AppView app = limited(2, 3, policy, ready(worn(1, 50, 50), worker(2, WorkerPhase.READY), worker(3, WorkerPhase.SPARE)));
        assertEquals(List.of(new Action.ActivateWorker("hello", 1, 3)), decide(app));
    }

    @Test
    void aDeployActivatesTheNewVersionsSpareOnceAnOldWorkerMadeRoom() {
        // No headroom: an old worker drains; once it is gone, the new version's spare takes its place at once.
        AppView app = new AppView("hello", 2, 2, BOOT, GRACEFUL, false, List.of(ready(busy(1, 0), busy(2, 0)),
                incoming(GenerationPhase.READY, zygote(ZygotePhase.READY), worker(3, WorkerPhase.SPARE))), SPARES);
        assertEquals(List.of(new Action.DrainWorker("hello", 1, 1, "making room under max_workers 2 for generation 2")),
                decide(app));
        AppView room = new AppView("hello", 2, 2, BOOT, GRACEFUL, false, List.of(ready(busy(2, 0)),
                incoming(GenerationPhase.READY, zygote(ZygotePhase.READY), worker(3, WorkerPhase.SPARE))), SPARES);
        assertEquals(List.of(new Action.ActivateWorker("hello", 2, 3)), decide(room));
    }

    @Test
    void workersStartBeforeSpares() {
        // A new app: its workers first; the spare waits until none is starting, not to slow them down.
        assertEquals(List.of(new Action.SpawnWorker("hello", 1), new Action.SpawnWorker("hello", 1)),
                decide(limited(2, 2, SPARES, ready())));
    }

    @Test
    void aSpareStillStartingIsAwaitedRatherThanAFreshJvm() {
        // A worker is missing and a spare is on its way: it will be activated once built, sooner than a new JVM.
        AppView app = limited(2, 2, SPARES, ready(worker(1, WorkerPhase.READY), worker(3, WorkerPhase.SPARE_STARTING)));
        assertEquals(List.of(), decide(app));
    }

    @Test
    void aDeployRetiresTheOldVersionsSpares() {
        AppView app = new AppView("hello", 1, 2, BOOT, GRACEFUL, false, List.of(
                ready(busy(1, 0), worker(2, WorkerPhase.SPARE)),
                incoming(GenerationPhase.READY, zygote(ZygotePhase.READY), worker(3, WorkerPhase.READY))), SPARES);
        assertEquals(List.of(new Action.DrainWorker("hello", 1, 2, "a spare of the version being replaced"),
                new Action.DrainWorker("hello", 1, 1, "replaced by generation 2"),
                new Action.SpawnWorker("hello", 2, true)), decide(app));
    }

    @Test
    void aRetiredGenerationsSparesGoToo() {
        GenerationView old = new GenerationView(1, Role.OLD, GenerationPhase.READY, Optional.of(zygote(ZygotePhase.READY)),
                List.of(worker(1, WorkerPhase.SPARE), worker(2, WorkerPhase.SPARE_STARTING)), Instant.EPOCH, 0);
        GenerationView current = new GenerationView(2, Role.CURRENT, GenerationPhase.READY, Optional.of(zygote(ZygotePhase.READY)),
                List.of(worker(3, WorkerPhase.READY)), Instant.EPOCH, 0);
        assertEquals(List.of(new Action.DrainWorker("hello", 1, 1, "stopping"),
                new Action.KillWorker("hello", 1, 2, "stopping before it was ready", false)),
                decide(new AppView("hello", 1, 1, BOOT, GRACEFUL, false, List.of(old, current))));
    }

    @Test
    void noSpareStartsWhenTheMemoryBudgetIsFull() {
        // Spares are outside max_workers but inside memory: 100m zygote + 2 x 70m in a 250m budget leaves no room.
        Policy policy = new Policy(4, 1, 250 * MB, 0, -1);
        assertEquals(List.of(), decide(limited(2, 2, policy, readySized(100 * MB, sized(1, 70 * MB), sized(2, 70 * MB)))));
    }

    // ---- hung workers ----

    @Test
    void aSilentWorkerGetsSigquitThenSigkill() {
        // No heartbeat for timeout: SIGQUIT (a thread dump in the app's log), then SIGKILL after the dump's grace.
        WorkerView silent = new WorkerView(1, WorkerPhase.READY, NOW.minus(BOOT), 0, new Wear(5, 0, null, NOW.minus(BOOT), 0, 0));
        assertEquals(List.of(new Action.QuitWorker("hello", 1, 1, "no heartbeat for 60s (timeout): hung")),
                decide(app(1, ready(silent))));
        WorkerView dumping = new WorkerView(1, WorkerPhase.HUNG, NOW.minus(Planner.DUMP_GRACE), 0, silent.wear());
        assertEquals(List.of(new Action.KillWorker("hello", 1, 1,
                "hung: no heartbeat for 60s (timeout); its threads are in the app's log", false)), decide(app(1, ready(dumping))));
    }

    @Test
    void aHungWorkerIsReplacedWhenThereIsRoom() {
        // While it prints its threads it no longer counts as serving: with headroom its replacement starts.
        WorkerView dumping = new WorkerView(1, WorkerPhase.HUNG, NOW, 0, Wear.FRESH);
        assertEquals(List.of(new Action.SpawnWorker("hello", 1)), decide(limited(1, 2, LIMITS, ready(dumping))));
    }

    // ---- memory ----

    @Test
    void aMemoryBudgetThatHoldsTwoWorkersRunsTwoAndSaysWhy() {
        // memory 300m: a 100m zygote and workers of ~70m: two fit, a third would not.
        Policy budget = new Policy(4, 0, 300 * MB, 0, -1);
        AppView app = limited(4, 4, budget, readySized(100 * MB, sized(1, 70 * MB), sized(2, 72 * MB)));
        assertEquals(List.of(new Action.AnnounceCap("hello", 1, 2,
                "memory 300m holds 2 of its 4 workers (zygotes 100m, a worker ~72m PSS)")), decide(app));
        AppView announced = limited(4, 4, new Policy(4, 0, 300 * MB, 0, 2), readySized(100 * MB, sized(1, 70 * MB), sized(2, 72 * MB)));
        assertEquals(List.of(), decide(announced));
    }

    @Test
    void aNewWorkerIsCountedAtItsLargestSiblingSoTheCapDoesNotRiseOnAFreshWorkersSize() {
        // 200m of room past the zygote: three of the fresh 60m worker would fit, two of the 75m one. A new worker
        // grows like its siblings: counting the small one would start a third only to drain one at the next check.
        Policy budget = new Policy(4, 0, 300 * MB, 0, -1);
        AppView app = limited(4, 4, budget, readySized(100 * MB, sized(1, 60 * MB), sized(2, 75 * MB)));
        assertEquals(List.of(new Action.AnnounceCap("hello", 1, 2,
                "memory 300m holds 2 of its 4 workers (zygotes 100m, a worker ~75m PSS)")), decide(app));
    }

    @Test
    void beforeAnyWorkerIsMeasuredTheZygoteSizesTheFirstSpawns() {
        // No worker yet: each new one is expected at the zygote's size, so only what fits is asked for.
        Policy budget = new Policy(4, 0, 300 * MB, 0, -1);
        List<Action> actions = decide(limited(4, 4, budget, readySized(90 * MB)));
        assertEquals(List.of(new Action.AnnounceCap("hello", 1, 2, "memory 300m holds 2 of its 4 workers (zygotes 90m, a worker ~90m PSS)"),
                new Action.SpawnWorker("hello", 1), new Action.SpawnWorker("hello", 1)), actions);
    }

    @Test
    void anAppOverItsBudgetRecyclesItsLargestWorker() {
        // Within the cap by count, but one worker grew: the largest is recycled, nothing new starts meanwhile.
        Policy budget = new Policy(4, 0, 300 * MB, 0, -1);
        AppView app = limited(2, 3, budget, readySized(100 * MB, sized(1, 70 * MB), sized(2, 140 * MB)));
        assertEquals(List.of(new Action.DrainWorker("hello", 1, 2,
                "recycled, the largest worker: the app's PSS 310m is over its memory 300m")), decide(app));
    }

    @Test
    void theHostMemoryLimitIsSharedByItsApps() {
        // memory_limit 400m; app a uses 100m + 2x70m; app b's zygote 80m and one worker: b cannot have its second.
        AppView a = new AppView("a", 2, 2, BOOT, GRACEFUL, false, List.of(readySized(100 * MB, sized(1, 70 * MB), sized(2, 70 * MB))), LIMITS);
        GenerationView bGeneration = readySized(80 * MB, sized(3, 70 * MB));
        AppView b = new AppView("b", 2, 2, BOOT, GRACEFUL, false, List.of(bGeneration), LIMITS);
        List<Action> actions = planner.decide(List.of(a, b), 400 * MB, NOW);
        assertEquals(List.of(new Action.AnnounceCap("b", 1, 1,
                "memory_limit 400m holds 1 of its 2 workers (everything else 320m, a worker ~70m PSS)")), actions);
    }

    @Test
    void aDeployUnderATightBudgetMakesRoomOneOldWorkerAtATime() {
        // The new zygote takes the room a new worker would need: an old worker drains first, as without headroom.
        Policy budget = new Policy(4, 0, 400 * MB, 0, -1);
        GenerationView current = readySized(100 * MB, sized(1, 70 * MB), sized(2, 70 * MB));
        GenerationView target = new GenerationView(2, Role.INCOMING, GenerationPhase.READY,
                Optional.of(new ZygoteView(ZygotePhase.READY, NOW, 100 * MB)), List.of(), Instant.EPOCH, 0);
        AppView app = new AppView("hello", 2, 4, BOOT, GRACEFUL, false, List.of(current, target), budget);
        assertEquals(List.of(new Action.DrainWorker("hello", 1, 1, "making room under the memory budget for generation 2")),
                decide(app));
    }

    /**
     * After every decision: a spawn (or a spare's activation) is asked only while the app's worker
     * processes, of every generation and phase (draining ones too), plus the spawns asked, stay
     * within its cap. Spares are outside the cap until activated.
     */
    @AfterEach
    void capHeld() {
        for (int i = 0; i < decided.size(); i++) {
            AppView app = decided.get(i);
            List<Action> actions = results.get(i);
            long processes = app.generations().stream().flatMap(g -> g.workers().stream())
                    .filter(w -> !w.phase().isSpare()).count();
            long spawns = actions.stream().filter(a -> a instanceof Action.SpawnWorker s && !s.spare()
                    || a instanceof Action.ActivateWorker).count();
            int cap = Math.max(app.workers(), app.maxWorkers());
            assertTrue(spawns == 0 || processes + spawns <= cap,
                    "cap broken: processes=" + processes + " spawns=" + spawns + " cap=" + cap);
        }
    }

    private static final long MB = 1024 * 1024;
    /** 4 handler threads, max_worker_memory 120m, no app budget. */
    private static final Policy LIMITS = new Policy(4, 0, 0, 120 * MB, -1);
    /** One spare, nothing else. */
    private static final Policy SPARES = new Policy(0, 1, 0, 0, -1);

    private static AppView limited(int workers, int maxWorkers, Policy limits, GenerationView generation) {
        return new AppView("hello", workers, maxWorkers, BOOT, GRACEFUL, false, List.of(generation), limits);
    }

    private static GenerationView readySized(long zygotePss, WorkerView... workers) {
        return new GenerationView(1, Role.CURRENT, GenerationPhase.READY,
                Optional.of(new ZygoteView(ZygotePhase.READY, NOW, zygotePss)), List.of(workers), Instant.EPOCH, 0);
    }

    private static WorkerView worn(int id, long requests, long limit) {
        return new WorkerView(id, WorkerPhase.READY, NOW, 0, new Wear(requests, limit, null, NOW, 0, 0));
    }

    private static WorkerView aged(int id, Instant retireAt) {
        return new WorkerView(id, WorkerPhase.READY, NOW, 0, new Wear(0, 0, retireAt, NOW, 0, 0));
    }

    private static WorkerView sized(int id, long pss) {
        return new WorkerView(id, WorkerPhase.READY, NOW, 0, new Wear(0, 0, null, NOW, 0, pss));
    }

    private List<Action> decide(AppView app) {
        List<Action> actions = planner.decide(List.of(app), NOW);
        decided.add(app);
        results.add(actions);
        return actions;
    }

    private static AppView app(int workers, GenerationView generation) {
        return new AppView("hello", workers, workers, BOOT, GRACEFUL, false, List.of(generation));
    }

    private static AppView deploying(int workers, int maxWorkers, GenerationView current, GenerationView incoming) {
        return new AppView("hello", workers, maxWorkers, BOOT, GRACEFUL, false, List.of(current, incoming));
    }

    private static GenerationView generation(GenerationPhase phase, ZygoteView zygote, WorkerView... workers) {
        return new GenerationView(1, Role.CURRENT, phase, Optional.ofNullable(zygote), List.of(workers), Instant.EPOCH, 0);
    }

    /** Generation 2, the deploy's target. */
    private static GenerationView incoming(GenerationPhase phase, ZygoteView zygote, WorkerView... workers) {
        return new GenerationView(2, Role.INCOMING, phase, Optional.ofNullable(zygote), List.of(workers), Instant.EPOCH, 0);
    }

    private static GenerationView ready(WorkerView... workers) {
        return generation(GenerationPhase.READY, zygote(ZygotePhase.READY), workers);
    }

    private static GenerationView withCrashes(GenerationView g, int streak, Instant notBefore) {
        return new GenerationView(g.id(), g.role(), g.phase(), g.zygote(), g.workers(), notBefore, streak);
    }

    private static ZygoteView zygote(ZygotePhase phase) {
        return new ZygoteView(phase, NOW);
    }

    private static WorkerView worker(int id, WorkerPhase phase) {
        return new WorkerView(id, phase, NOW, 0);
    }

    private static WorkerView busy(int id, int inFlight) {
        return new WorkerView(id, WorkerPhase.READY, NOW, inFlight);
    }
}
