#include "orchestrator/report/coverage_matrix.h"

#include <set>

#include "orchestrator/report/html.h"

namespace orchestrator::report {
namespace {

using checker::CoverageRole;
using checker::CoverageState;

std::vector<std::string> MatrixRows(const checker::FaultCoverage& coverage,
                                    const std::vector<std::string>& faults) {
  std::set<std::string> rows(faults.begin(), faults.end());
  for (std::string& name : coverage.FaultNames()) rows.insert(std::move(name));
  return {rows.begin(), rows.end()};
}

std::string MatrixHeader() {
  std::string states = "<tr><th rowspan=\"2\">fault</th>";
  std::string roles = "<tr>";
  for (CoverageState state : checker::kCoverageStates) {
    states += "<th colspan=\"" + std::to_string(checker::kCoverageRoles.size()) +
              R"(" class="state">)" + std::string(checker::CoverageStateName(state)) + "</th>";
    for (CoverageRole role : checker::kCoverageRoles) {
      roles += "<th class=\"role\">" + std::string(checker::CoverageRoleName(role)) + "</th>";
    }
  }
  return "<thead>" + states + "</tr>" + roles + "</tr></thead>";
}

std::string MatrixRow(const checker::FaultCoverage& coverage, const std::string& fault) {
  std::string html = "<tr><th class=\"fault\">" + EscapeHtml(fault) + "</th>";
  for (CoverageState state : checker::kCoverageStates) {
    for (CoverageRole role : checker::kCoverageRoles) {
      const int64_t count = coverage.Count({.fault = fault, .role = role, .state = state});
      html += std::string(count == 0 ? "<td class=\"num empty\"" : "<td class=\"num hit\"") +
              " title=\"" + EscapeHtml(fault) + ", " +
              std::string(checker::CoverageRoleName(role)) + ", " +
              std::string(checker::CoverageStateName(state)) + "\">" + std::to_string(count) +
              "</td>";
    }
  }
  return html + "</tr>";
}

}  // namespace

int64_t EmptyCoverageCells(const checker::FaultCoverage& coverage,
                           const std::vector<std::string>& faults) {
  int64_t empty = 0;
  for (const std::string& fault : MatrixRows(coverage, faults)) {
    for (CoverageState state : checker::kCoverageStates) {
      for (CoverageRole role : checker::kCoverageRoles) {
        if (coverage.Count({.fault = fault, .role = role, .state = state}) == 0) ++empty;
      }
    }
  }
  return empty;
}

std::string CoverageMatrixHtml(const checker::FaultCoverage& coverage,
                               const CoverageMatrixOptions& options) {
  const std::vector<std::string> rows = MatrixRows(coverage, options.faults);
  if (rows.empty()) return "";
  const size_t cells =
      rows.size() * checker::kCoverageRoles.size() * checker::kCoverageStates.size();
  std::string html = "<p class=\"dim\">Faults counted: " + std::to_string(coverage.faults) + "; " +
                     std::to_string(EmptyCoverageCells(coverage, options.faults)) + " of " +
                     std::to_string(cells) +
                     " cells empty (0). A fault counts once per target, and again under "
                     "during-another-fault when another fault was in force. Snapshot-transfer "
                     "stays empty: no status sample or node event says when a snapshot moves."
                     "</p><div class=\"coverage-scroll\"><table class=\"coverage\" id=\"" +
                     EscapeHtml(options.id) + "\">" + MatrixHeader() + "<tbody>";
  for (const std::string& fault : rows) html += MatrixRow(coverage, fault);
  return html + "</tbody></table></div>";
}

std::string StoreCoverageSectionHtml(const checker::FaultCoverage& coverage, int64_t runs) {
  std::string html = R"(<section id="coverage"><h2>Fault coverage</h2><p class="dim">)";
  if (runs == 0) return html + "No run in this store recorded its fault coverage.</p></section>";
  html += "Which fault hit which role in which cluster state, summed over the " +
          std::to_string(runs) + " runs of this store that recorded it.</p>";
  const std::string matrix = CoverageMatrixHtml(coverage, {.id = "coverage-matrix"});
  return html + (matrix.empty() ? "<p class=\"dim\">No fault took effect on a node.</p>" : matrix) +
         "</section>";
}

}  // namespace orchestrator::report
