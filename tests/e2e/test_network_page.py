"""A small network on the page (issue 19), as a learner uses it: a network preset paints
from its view file with its decision boundary, the Runs table gives the accuracies the
core computes, the Network settings drive the run and the address, and bad network keys
in a link are named and ignored."""

import json
import re
import subprocess
import sys

from conftest import ROOT, wait_lab, wait_until


def core_run(*args):
    """`gdlab run ... --json` in CPython: the independent numbers the page must show."""
    out = subprocess.run([sys.executable, "-m", "gdlab", "run", *args, "--json"], capture_output=True,
                         text=True, env={"PYTHONPATH": str(ROOT / "py")}, check=True).stdout
    run = json.loads(out)
    run["acc"], run["val_acc"] = run["acc"][-1], run["val_acc"][-1]   # at the last step
    return run


def shown_loss(page):
    """The live run's loss in the status line (3 significant digits), or None."""
    m = re.search(r"loss (\S+)", status(page))
    return float(m.group(1)) if m else None


def status(page):
    return page.get_by_role("status").first.inner_text()


def boundary_step(page):
    return page.get_by_role("img", name=re.compile("^Decision boundary")).get_attribute("data-step")


def live_row(page):
    return page.get_by_role("table", name="Runs").locator("tbody tr.live")


def test_a_network_preset_paints_its_boundary_and_accuracies_from_the_core(page, lab_url):
    page.goto(f"{lab_url}?preset=adam-vs-sgd-net")
    region = page.get_by_role("region", name="Decision boundary")
    # from the view file, before Python: the boundary at the run's last step
    wait_until(lambda: region.is_visible() and boundary_step(page) == "300", 20, "the boundary from the view")
    assert page.get_by_role("region", name="Loss landscape").locator(".slice-caption").inner_text().startswith("PCA")
    wait_lab(page)
    table = page.get_by_role("table", name="Runs")
    heads = table.locator("thead th").all_inner_texts()
    assert "train accuracy" in heads and "held-out accuracy" in heads
    core = core_run("moons-mlp", "--layers", "2,8,1", "--optimizer", "adam", "--lr", "0.05", "--steps", "300")
    row = live_row(page)
    cell = lambda name: row.locator(f"td[data-label='{name}']").inner_text()
    wait_until(lambda: cell("train accuracy").endswith("%"), 30, "the live run's accuracy")
    assert cell("train accuracy") == f"{100 * core['acc']:.1f} %"
    assert cell("held-out accuracy") == f"{100 * core['val_acc']:.1f} %"
    # Reset shows step 0: the boundary of the Glorot start (once Python's runs replaced the
    # view's, which a new run on screen would follow to its end)
    wait_until(lambda: page.locator("#runs").get_attribute("data-pending") == "0", 60, "Python's runs")
    page.get_by_role("button", name="Reset", exact=True).click()
    wait_until(lambda: boundary_step(page) == "0", 20, "the boundary at step 0")
    assert status(page).startswith("step 0 ")


def test_the_network_settings_drive_the_run_the_boundary_and_the_link(page, lab_url):
    page.goto(f"{lab_url}?surface=xor-mlp&steps=200")
    wait_lab(page)
    settings = page.get_by_role("group", name="Network")
    assert settings.is_visible() and page.get_by_label("Start", exact=True).is_disabled()
    assert page.get_by_label("Layers").input_value() == "2,16,16,1"
    page.get_by_label("Layers").fill("2,6,1")
    page.get_by_label("Layers").press("Enter")
    page.get_by_label("Activation").select_option("relu")
    page.get_by_role("spinbutton", name="Init seed").fill("3")
    page.get_by_role("spinbutton", name="Init seed").press("Enter")
    wait_until(lambda: "layers=2,6,1" in page.evaluate("() => location.href")
               and "activation=relu" in page.evaluate("() => location.href")
               and "init_seed=3" in page.evaluate("() => location.href"), 10, "the link to carry the net")
    core = core_run("xor-mlp", "--layers", "2,6,1", "--activation", "relu", "--init-seed", "3",
                    "--steps", "200", "--lr", "0.1")
    wait_until(lambda: status(page).startswith("step 200 ") and status(page).endswith(core["status"])
               and abs(shown_loss(page) - core["final_loss"]) <= 5e-3 * core["final_loss"],
               60, f"the 2-6-1 relu run (core: {core['final_loss']:.4g}, {core['status']})")
    wait_until(lambda: page.locator("#boundary-section").get_attribute("data-current") == "true"
               and boundary_step(page) == "200", 60, "the new net's boundary")
    wait_until(lambda: live_row(page).locator("td[data-label='train accuracy']").inner_text()
               == f"{100 * core['acc']:.1f} %", 30, "the new net's accuracy")
    # a reload of the address gives the same net
    page.goto(page.evaluate("() => location.href"))
    wait_until(lambda: page.get_by_label("Layers").input_value() == "2,6,1"
               and page.get_by_label("Activation").input_value() == "relu"
               and page.get_by_role("spinbutton", name="Init seed").input_value() == "3", 20, "the net from the link")


def test_a_layers_field_that_does_not_read_is_marked_and_changes_nothing(page, lab_url):
    page.goto(f"{lab_url}?surface=moons-mlp&layers=2,4,1&steps=50")
    wait_lab(page)
    field = page.get_by_label("Layers")
    for bad in ("3,4,1", "2,40,1", "2,a,1", "2,4,4,4,4,4,1"):
        field.fill(bad)
        field.press("Enter")
        assert field.get_attribute("aria-invalid") == "true", bad
        assert "layers=2,4,1" in page.evaluate("() => location.href")


def test_bad_network_keys_in_a_link_are_named_and_ignored(page, lab_url):
    page.goto(f"{lab_url}?surface=moons-mlp&layers=3,8,1&activation=sigmoid&init_seed=-1&start=1,2")
    notice = page.locator("#notice")
    wait_until(lambda: "Ignored from the link" in notice.inner_text(), 20, "the notice")
    text = notice.inner_text()
    for key in ("layers=3,8,1", "activation=sigmoid", "init_seed=-1", "start=1,2"):
        assert key in text, key
    assert page.get_by_label("Layers").input_value() == "2,16,16,1"
    page.goto(f"{lab_url}?surface=bowl&layers=2,4,1")
    wait_until(lambda: "only a network" in page.locator("#notice").inner_text(), 20, "the notice on bowl")


def test_a_kept_network_run_keeps_its_init_seed_and_the_nets_layers_in_the_link(page, lab_url):
    page.goto(f"{lab_url}?surface=moons-mlp&layers=2,4,1&steps=60&init_seed=2")
    wait_lab(page)
    page.get_by_role("button", name="Keep this run").click()
    page.get_by_role("spinbutton", name="Init seed").fill("5")
    page.get_by_role("spinbutton", name="Init seed").press("Enter")
    wait_until(lambda: "keep=sgd,0.1,steps:60,init_seed:2" in page.evaluate("() => location.href"), 10, "keep= in the link")
    page.goto(page.evaluate("() => location.href"))
    wait_lab(page)
    table = page.get_by_role("table", name="Runs")
    wait_until(lambda: table.locator("tbody tr").count() == 2 and "computing" not in table.inner_text(), 60, "both runs")
    kept = table.locator("tbody tr", has_text="kept:")
    assert "init seed 2" in kept.locator("th").inner_text()
    # the kept run is the 2-4-1 net from init seed 2, as the core computes it
    core = core_run("moons-mlp", "--layers", "2,4,1", "--init-seed", "2", "--steps", "60", "--lr", "0.1")
    assert kept.locator("td[data-label='train accuracy']").inner_text() == f"{100 * core['acc']:.1f} %"
    page.goto(f"{lab_url}?surface=moons-mlp&keep=sgd,0.1,activation:softplus")
    wait_until(lambda: "activation cannot be 'softplus'" in page.locator("#notice").inner_text(), 20, "the notice")


def test_run_code_trains_the_network_the_pane_shows_and_a_learner_can_change_its_activation(page, lab_url):
    sys.path.insert(0, str(ROOT / "py"))
    from gdlab.bridge import handle   # the program the pane shows, to edit as a learner would

    msg = {"surface": "moons-mlp", "layers": "2,4,1", "steps": 100, "optimizer": "sgd", "lr": 0.1}
    program = handle({"op": "program", **msg})["program"]
    relu = program.replace("return np.tanh(h)", "return np.maximum(h, 0)").replace(
        "return 1 - a ** 2", "return (a > 0).astype(float)")
    assert relu != program
    page.goto(f"{lab_url}?surface=moons-mlp&layers=2,4,1&steps=100")
    wait_lab(page)
    box = page.get_by_label("Code", exact=True)
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(relu)
    page.get_by_role("button", name="Run code", exact=True).click()
    core = core_run("moons-mlp", "--layers", "2,4,1", "--activation", "relu", "--steps", "100", "--lr", "0.1")
    wait_until(lambda: page.locator("#landscape").get_attribute("data-surface") == "custom"
               and status(page).startswith("step 100 ")
               and abs(shown_loss(page) - core["final_loss"]) <= 5e-3 * core["final_loss"], 60,
               f"the learner's relu net (core: {core['final_loss']:.4g})")
    # the learner's model is theirs: no boundary of the lab's net is drawn for it
    assert page.get_by_role("region", name="Decision boundary").is_hidden()
