#include "econ/deal.h"

#include <cmath>
#include <stdexcept>

namespace ws {

namespace {

constexpr int kMonthsPerYear = 12;

// NPV at a monthly rate: sum of flow_m / (1 + r)^m.
double npv_monthly(const std::vector<double>& flows, double monthly_rate) {
  double total = 0, discount = 1;
  for (double flow : flows) {
    total += flow / discount;
    discount *= 1 + monthly_rate;
  }
  return total;
}

}  // namespace

double ebit_margin(double revenue_usd, double opex_usd, double capex_usd, double life_years) {
  if (!(revenue_usd > 0)) return NAN;
  return (revenue_usd - opex_usd - capex_usd / life_years) / revenue_usd;
}

double implied_depreciation_life_years(double revenue_usd, double opex_usd, double capex_usd, double margin) {
  const double depreciation = revenue_usd * (1 - margin) - opex_usd;
  return depreciation > 0 ? capex_usd / depreciation : NAN;
}

double annual_irr(const std::vector<double>& flows) {
  // Bisection on the monthly rate: robust where Newton's method is not (flat or sign-changing derivatives), and
  // 200 halvings of the bracket reach machine precision. One sign change brackets the root. The bracket, -50% to
  // +1000% a month (-99.98% to ~3e12 % a year), keeps (1 + r)^m finite over 30 years of months.
  double low = -0.5, high = 10.0;
  double f_low = npv_monthly(flows, low), f_high = npv_monthly(flows, high);
  if (!std::isfinite(f_low) || !std::isfinite(f_high) || (f_low > 0) == (f_high > 0)) return NAN;
  for (int i = 0; i < 200 && high - low > 1e-15; ++i) {
    const double mid = 0.5 * (low + high);
    const double f_mid = npv_monthly(flows, mid);
    if ((f_mid > 0) == (f_low > 0)) {
      low = mid;
      f_low = f_mid;
    } else {
      high = mid;
    }
  }
  return std::pow(1 + 0.5 * (low + high), kMonthsPerYear) - 1;
}

double npv_usd(const std::vector<double>& flows, double annual_rate) {
  return npv_monthly(flows, std::pow(1 + annual_rate, 1.0 / kMonthsPerYear) - 1);
}

double payback_years(const std::vector<double>& flows) {
  double cumulative = 0;
  for (std::size_t m = 0; m < flows.size(); ++m) {
    const double before = cumulative;
    cumulative += flows[m];
    if (m > 0 && before < 0 && cumulative >= 0)  // linear within the month that crosses zero
      return (static_cast<double>(m) - 1 + (-before / flows[m])) / kMonthsPerYear;
  }
  return NAN;
}

DealResult project_deal(const DealInputs& in) {
  if (in.lifetime_years < in.term_years) throw std::logic_error("project_deal: lifetime shorter than the term");
  DealResult r;
  const double hours_per_year = in.hours_per_month * kMonthsPerYear;
  r.revenue_year1_usd = in.rental_usd_per_hour * hours_per_year * in.billed_utilization - in.contra_revenue_usd_per_year;
  r.opex_year1_usd = in.operating_cost_per_month_usd * kMonthsPerYear;
  r.ebit_margin_year1 = {ebit_margin(r.revenue_year1_usd, r.opex_year1_usd, in.capex_usd, in.term_years),
                         ebit_margin(r.revenue_year1_usd, r.opex_year1_usd, in.capex_usd, in.accounting_life_years),
                         ebit_margin(r.revenue_year1_usd, r.opex_year1_usd, in.capex_usd, kSixYears)};

  const double term_revenue_month = r.revenue_year1_usd / kMonthsPerYear;
  const double after_revenue_month = in.rerental_usd_per_hour * in.hours_per_month * in.billed_utilization;
  r.ebitda_margin_after_term =
      after_revenue_month > 0 ? (after_revenue_month - in.operating_cost_per_month_usd) / after_revenue_month : NAN;
  r.shut_down_after_term = in.lifetime_years > in.term_years &&
                           !(r.ebitda_margin_after_term >= in.shutdown_ebitda_margin);
  const int term_months = in.term_years * kMonthsPerYear, life_months = in.lifetime_years * kMonthsPerYear;
  const int prepay_months = in.prepay_years * kMonthsPerYear;
  r.monthly_cash_flow_usd.assign(static_cast<std::size_t>(life_months) + 1, 0.0);
  r.monthly_cash_flow_usd[0] = -in.capex_usd + in.prepay_usd;
  for (int m = 1; m <= life_months; ++m) {
    double flow = 0;
    if (m <= term_months) flow = term_revenue_month - in.operating_cost_per_month_usd;
    else if (!r.shut_down_after_term) flow = after_revenue_month - in.operating_cost_per_month_usd;
    if (m <= prepay_months) flow -= in.prepay_usd / prepay_months;  // the prepay is paid back in capacity
    r.monthly_cash_flow_usd[static_cast<std::size_t>(m)] = flow;
  }
  r.project_irr = annual_irr(r.monthly_cash_flow_usd);
  r.npv_usd = ws::npv_usd(r.monthly_cash_flow_usd, in.cost_of_capital);
  r.payback_years = ws::payback_years(r.monthly_cash_flow_usd);
  for (double flow : r.monthly_cash_flow_usd) r.cumulative_cash_usd += flow;
  return r;
}

std::string to_string(DealAxis axis) {
  switch (axis) {
    case DealAxis::rental: return "rental_usd_per_hour";
    case DealAxis::billed_utilization: return "billed_utilization";
    case DealAxis::lifetime: return "lifetime_years";
  }
  return "";
}

std::vector<SensitivityPoint> irr_sensitivity(const DealInputs& base, DealAxis axis, const std::vector<double>& values,
                                              bool rerental_follows_rental) {
  std::vector<SensitivityPoint> points;
  for (double value : values) {
    DealInputs in = base;
    if (axis == DealAxis::rental) {
      in.rental_usd_per_hour = value;
      if (rerental_follows_rental) in.rerental_usd_per_hour = value;
    } else if (axis == DealAxis::billed_utilization) {
      in.billed_utilization = value;
    } else {
      in.lifetime_years = static_cast<int>(std::lround(value));
      if (in.lifetime_years < in.term_years) continue;
    }
    const DealResult r = project_deal(in);
    points.push_back({value, r.project_irr, r.npv_usd});
  }
  return points;
}

std::vector<ContractReview> review_contracts(const std::vector<Contract>& contracts) {
  std::vector<ContractReview> reviews;
  for (const auto& c : contracts) {
    ContractReview r;
    r.contract = &c;
    r.implied_annual_revenue_usd = c.contract_value_usd / c.term_years;
    r.departure_usd = c.implied_annual_revenue_printed_usd - r.implied_annual_revenue_usd;
    r.departs = std::abs(r.departure_usd) > kPrintedRevenueRoundingUsd;
    if (r.departs)
      for (const auto& other : contracts)
        if (&other != &c && std::abs(c.implied_annual_revenue_printed_usd - other.contract_value_usd / other.term_years) <=
                                kPrintedRevenueRoundingUsd)
          r.matches.push_back(other.name);
    r.annual_revenue_per_mw_usd = r.implied_annual_revenue_usd / c.critical_it_mw;
    r.contract_value_per_mw_usd = c.contract_value_usd / c.critical_it_mw;
    reviews.push_back(std::move(r));
  }
  return reviews;
}

}  // namespace ws
