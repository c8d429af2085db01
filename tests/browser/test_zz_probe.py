import time, pytest
pytestmark = pytest.mark.browser
READOUT = ".mesolab-tip-readout .widget-html-content"

def test_probe(lab_page, lab_server, output_dir):
    page = lab_page
    nb = lab_server.unique_copy("01_skin_layers.ipynb")
    page.goto(lab_server.tree_url(nb))
    page.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for()
    page.wait_for_function("document.querySelector('#jp-main-statusbar')?.innerText.includes('| Idle')", timeout=60000)
    page.locator("#jp-menu-panel").get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.locator(READOUT).wait_for(timeout=60000)
    time.sleep(1)
    sel = page.locator(".mesolab-region select")
    def state(label):
        time.sleep(1.0)
        print(label, sel.input_value(), "| active cell idx:", page.evaluate("[...document.querySelectorAll('.jp-Notebook .jp-Cell')].findIndex(c => c.classList.contains('jp-mod-active'))"),
              "| focus:", page.evaluate("document.activeElement.tagName + '.' + document.activeElement.className"),
              "| mode:", page.evaluate("document.querySelector('.jp-Notebook').className"),
              "| readout:", page.locator(READOUT).inner_text()[:40])
    state("start")
    sel.focus(); state("focused")
    page.keyboard.press("ArrowDown"); state("ArrowDown")
    sel.focus(); page.keyboard.press("ArrowUp"); state("ArrowUp")
    sel.focus(); page.keyboard.press("Home"); state("Home")
    sel.focus(); page.keyboard.press("End"); state("End")
    sel.focus(); page.keyboard.press("t"); state("t")
    sel.focus(); page.keyboard.press("g"); state("g")
    print(page.evaluate("[...document.querySelectorAll('[data-lm-suppress-shortcuts]')].map(e => e.tagName + '.' + e.className)"))
